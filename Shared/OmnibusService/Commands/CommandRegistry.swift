import Foundation
import OmnibusContracts

/// The commands a service takes, by name, each with the versions it accepts and a typed
/// handler. Handlers validate against current state, change it and emit events; throwing an
/// ``OmnibusError`` rolls back everything the command did and replies with that error.
public struct CommandRegistry: Sendable {
    /// Decodes a whole request with its command's type (throwing the decoding error as it
    /// is), ready to run.
    typealias Decoder = @Sendable (_ body: Data) throws -> DecodedCommand

    struct Entry: Sendable {
        var versions: ClosedRange<Int>
        /// False for queries: their replies are not kept, as repeating them changes nothing.
        var storesReply: Bool
        var decode: Decoder
    }

    /// A request decoded once, before the writer's transaction: its header, and the
    /// handler applied to its typed body, which returns the encoded reply (or the key its
    /// reply will come under).
    struct DecodedCommand {
        var header: CommandHeader
        var run: (CommandContext) throws -> Ran
    }

    /// What running a handler gave.
    enum Ran {
        case reply(Data)
        case pending(key: String)
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
        registerDeferred(command, versions: versions) { input, context in .reply(try handler(input, context)) }
    }

    /// Registers the handler of a command whose reply may wait on another service: it
    /// answers ``CommandOutcome/reply(_:)`` now, or ``CommandOutcome/pending(key:)``, and
    /// the caller waits until the service's process completes `key` through
    /// ``DeferredReplies`` (`ServiceRuntime.Parts.deferredReplies`). A pending command's
    /// reply is not stored by the command server: the process stores the final one.
    public mutating func registerDeferred<Command: CommandContract>(
        _ command: Command.Type,
        versions: ClosedRange<Int> = Command.version...Command.version,
        _ handler: @escaping @Sendable (Command, CommandContext) throws -> CommandOutcome<Command.Reply>
    ) {
        let name = Command.name
        precondition(entries[name] == nil, "command \(name) registered twice")
        entries[name] = Entry(versions: versions, storesReply: Command.changesState) { body in
            let request = try ContractCoding.decode(CommandRequest<Command>.self, from: body)
            let header = CommandHeader(id: request.id, command: request.command, version: request.version,
                                       channel: request.channel, correlationId: request.correlationId, data: SkippedObject())
            return DecodedCommand(header: header) { context in
                switch try handler(request.data, context) {
                case .reply(let reply): .reply(try ContractCoding.encode(CommandReply(requestId: context.requestId, data: reply)))
                case .pending(let key): .pending(key: key)
                }
            }
        }
    }

    /// The command names, sorted, for help and error messages.
    public var commandNames: [String] { entries.keys.sorted() }
}
