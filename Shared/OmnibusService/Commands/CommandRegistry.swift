import Foundation
import OmnibusContracts

/// The commands a service takes, by name, each with the versions it accepts and a typed
/// handler. Handlers validate against current state, change it and emit events; throwing an
/// ``OmnibusError`` rolls back everything the command did and replies with that error.
public struct CommandRegistry: Sendable {
    typealias Handler = @Sendable (_ body: Data, _ context: CommandContext) throws -> Data

    struct Entry: Sendable {
        var versions: ClosedRange<Int>
        /// False for queries: their replies are not kept, as repeating them changes nothing.
        var storesReply: Bool
        var handler: Handler
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Registers the handler of `Command`: its `data` decodes as the command, and the
    /// handler's result is the reply's `data`. `versions` are the major versions of `data`
    /// accepted (by default the contract's own). A query (``QueryContract``) must not change
    /// state or emit events; its replies are not stored for retries.
    public mutating func register<Command: CommandContract>(
        _ command: Command.Type,
        versions: ClosedRange<Int> = Command.version...Command.version,
        _ handler: @escaping @Sendable (Command, CommandContext) throws -> Command.Reply
    ) {
        let name = Command.name
        precondition(entries[name] == nil, "command \(name) registered twice")
        entries[name] = Entry(versions: versions, storesReply: Command.changesState) { body, context in
            let request: CommandRequest<Command>
            do {
                request = try ContractCoding.decode(CommandRequest<Command>.self, from: body)
            } catch {
                throw OmnibusError(.invalidArgument, "\(name): \(ContractCoding.explain(error, in: body))")
            }
            let reply = try handler(request.data, context)
            return try ContractCoding.encode(CommandReply(requestId: context.requestId, data: reply))
        }
    }

    /// The command names, sorted, for help and error messages.
    public var commandNames: [String] { entries.keys.sorted() }
}
