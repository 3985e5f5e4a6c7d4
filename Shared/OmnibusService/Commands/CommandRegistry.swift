import Foundation
import GRDB
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
        /// For a command whose reply is kept as a key (``RetryReply``): the encoded reply to
        /// a retry of request `requestId`, read anew under `key`.
        var reread: (@Sendable (_ key: String, _ requestId: String, _ db: Database) throws -> Data)? = nil
    }

    /// A request decoded once, before the writer's transaction: its header, and the
    /// handler applied to its typed body (see ``Ran``).
    struct DecodedCommand {
        var header: CommandHeader
        var run: @Sendable (CommandContext) throws -> Ran
    }

    /// What running a handler gave: the encoded reply; for a ``RetryReply`` command the key
    /// to keep for retries and the reply still to encode; or the key a deferred reply comes under.
    enum Ran {
        case reply(Data)
        /// A ``RetryReply`` command's reply: kept as `rereadKey`, and encoded by whoever sends
        /// it (the command server's thread, not the writer's), after the commit: it is a
        /// value type the handler built, so encoding it cannot fail but for a bug, which the
        /// caller sees as `internal` with the command applied (a retry reads the state again).
        case rereadable(encode: @Sendable () throws -> Data, rereadKey: String)
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

    /// Registers the handler of `Command` whose reply is state a query would read again
    /// (a cart, say): instead of the whole reply, only `retry`'s key is kept for retries
    /// (docs/PROTOCOL.md, section 5), and a retry is answered with what `retry` reads now.
    public mutating func register<Command: CommandContract>(
        _ command: Command.Type,
        versions: ClosedRange<Int> = Command.version...Command.version,
        retry: RetryReply<Command.Reply>,
        _ handler: @escaping @Sendable (Command, CommandContext) throws -> Command.Reply
    ) {
        precondition(Command.changesState, "\(Command.name) is a query: its replies are not kept")
        add(Command.name, Entry(versions: versions, storesReply: true, decode: Self.decoder(command) { input, context in
            let reply = try handler(input, context)
            let requestId = context.requestId
            return .rereadable(encode: { try ContractCoding.encode(CommandReply(requestId: requestId, data: reply)) },
                               rereadKey: retry.key(reply))
        }, reread: { key, requestId, db in
            try ContractCoding.encode(CommandReply(requestId: requestId, data: try retry.reread(key, db)))
        }))
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
        add(Command.name, Entry(versions: versions, storesReply: Command.changesState, decode: Self.decoder(command) { input, context in
            switch try handler(input, context) {
            case .reply(let reply): .reply(try ContractCoding.encode(CommandReply(requestId: context.requestId, data: reply)))
            case .pending(let key): .pending(key: key)
            }
        }))
    }

    private mutating func add(_ name: String, _ entry: Entry) {
        precondition(entries[name] == nil, "command \(name) registered twice")
        entries[name] = entry
    }

    /// Decodes a whole request as `Command`'s, keeps its header, and runs `run` on its body.
    private static func decoder<Command: CommandContract>(
        _ command: Command.Type, _ run: @escaping @Sendable (Command, CommandContext) throws -> Ran
    ) -> Decoder {
        { body in
            let request = try ContractCoding.decode(CommandRequest<Command>.self, from: body)
            let header = CommandHeader(id: request.id, command: request.command, version: request.version,
                                       channel: request.channel, correlationId: request.correlationId, actingFor: request.actingFor,
                                       data: SkippedObject())
            return DecodedCommand(header: header) { context in try run(request.data, context) }
        }
    }

    /// The command names, sorted, for help and error messages.
    public var commandNames: [String] { entries.keys.sorted() }
}

/// How a command's reply is kept for retries when it is state a query returns anyway (a
/// cart): only a key naming it (`key`, say the customer id), and a retry is answered with
/// what `reread` reads under that key now — the same state, or a later version of it. Keeps
/// the stored replies small (docs/PROTOCOL.md, section 5).
public struct RetryReply<Reply: Sendable>: Sendable {
    public var key: @Sendable (Reply) -> String
    public var reread: @Sendable (_ key: String, _ db: Database) throws -> Reply

    public init(key: @escaping @Sendable (Reply) -> String, reread: @escaping @Sendable (_ key: String, _ db: Database) throws -> Reply) {
        self.key = key
        self.reread = reread
    }
}
