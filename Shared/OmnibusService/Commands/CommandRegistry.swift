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

    /// Registers `command`; its `data` decodes as `Input`, and the handler's result is the
    /// reply's `data`. A query (`changesState: false`) must not change state or emit events;
    /// its replies are not stored for retries, since answering again is harmless.
    public mutating func register<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ command: String,
        versions: ClosedRange<Int> = 1...1,
        changesState: Bool = true,
        _ handler: @escaping @Sendable (Input, CommandContext) throws -> Output
    ) {
        precondition(entries[command] == nil, "command \(command) registered twice")
        entries[command] = Entry(versions: versions, storesReply: changesState) { body, context in
            let request: CommandRequest<Input>
            do {
                request = try ContractCoding.decode(CommandRequest<Input>.self, from: body)
            } catch {
                throw OmnibusError(.invalidArgument, "\(command): \(ContractCoding.explain(error))")
            }
            let output = try handler(request.data, context)
            return try ContractCoding.encode(CommandReply(requestId: context.requestId, data: output))
        }
    }

    /// The command names, sorted, for help and error messages.
    public var commandNames: [String] { entries.keys.sorted() }
}
