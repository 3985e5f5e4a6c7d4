import Foundation
import GRDB
import Logging
import OmnibusConfiguration
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// Takes commands on a ROUTER socket and answers each with a ``CommandReply``.
///
/// Requests waiting together are applied in one write transaction (group commit), each in
/// its own savepoint so one failing command rolls back only itself. A request id seen before
/// gets its first reply again and changes nothing. Malformed, oversized or unknown requests
/// get an error reply and are counted; nothing a client sends stops the loop. A command
/// whose reply waits on another service keeps its caller waiting until the reply arrives
/// through ``DeferredReplies``.
public final class CommandServer: Service, Sendable {
    public struct Options: Sendable {
        /// Command bodies larger than this are refused with `too_large`.
        public var maxRequestBytes = 1 << 20
        /// How many waiting requests share one transaction at most.
        public var maxBatch = 128
        /// How long a reply is kept for retries of its request id (default 7 days). A client
        /// retries within seconds; the window only has to outlast outages.
        public var replyRetention: Duration = .seconds(7 * 24 * 3600)
        /// The stored replies' bytes at most; beyond, the oldest go first, before their
        /// ``replyRetention`` is up (default 256 MiB: a quarter of a million cart replies).
        public var maxStoredReplyBytes: Int64 = 256 << 20
        /// The most callers kept waiting for deferred replies; beyond it a pending command
        /// is answered `unavailable` (it goes on; a retry with its id waits again).
        public var maxWaitingCallers = 10_000
        /// How long a caller is kept waiting for a deferred reply; a client has given up and
        /// resent long before (a resend from the same socket replaces its earlier wait).
        public var maxWait: Duration = .seconds(60)
        /// Commands per second each client may send on average, and in a burst — a CURVE key's
        /// connections share one budget; without CURVE each connection has its own. Beyond,
        /// a command is answered `unavailable` unapplied (a retry with its id is safe).
        public var ratePerClient = RateLimiter.Limit(ratePerSecond: 20_000, burst: 40_000)
        public init() {}
    }

    package let bound = BoundAddress()
    let store: EventStore
    let registry: CommandRegistry
    let deferred: DeferredReplies
    private let endpoint: String
    private let context: ZMQContext
    let options: Options
    /// What each authenticated principal may call; nil: no authentication, every command allowed.
    let policy: BusPolicy?
    /// Refuses state-changing commands while the disk is nearly full.
    let disk: DiskGuard
    let logger: Logger
    let metrics: MetricsRecorder

    init(store: EventStore, registry: CommandRegistry, deferred: DeferredReplies, endpoint: String, context: ZMQContext,
         options: Options, policy: BusPolicy?, disk: DiskGuard, logger: Logger, metrics: MetricsRecorder) {
        self.policy = policy
        self.disk = disk
        self.store = store
        self.registry = registry
        self.deferred = deferred
        self.endpoint = endpoint
        self.context = context
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        try await runOnDedicatedThread(name: "\(store.source)-commands") { stop in try self.loop(until: stop) }
    }

    private func loop(until stop: StopSignal) throws {
        let socket = try ZMQSocket(context: context, type: .router)
        // Hard cap against memory exhaustion; anything between the soft and hard limit gets a `too_large` reply.
        try socket.setMaxMessageSize(bytes: Int64(max(options.maxRequestBytes, 16 << 20)))
        try socket.bind(endpoint, zapDomain: ServerRole.commands.domain(of: store.source))
        bound.set(try socket.lastEndpoint)
        logger.info("command endpoint ready", metadata: ["endpoint": "\(bound.endpoint ?? endpoint)", "commands": "\(registry.commandNames)"])
        let writer = try CommandWriter(maxBatch: options.maxBatch) { [self] commands in
            var answers: [CommandWriter.Answered] = []
            answers += apply(refusingWritesIfDiskIsLow(commands, answers: &answers))
            return answers
        }
        writer.start(name: "\(store.source)-writer")
        var replies = ReplyRouting(maxWaitingCallers: options.maxWaitingCallers, logger: logger)
        defer {
            // Whatever the writer still applies is committed and answered before the socket goes.
            writer.stopAndWait()
            try? replies.deliver(writer.takeAnswers(), completions: deferred.takeCompleted(), writerWasBusy: false, on: socket)
        }
        var limiter = RateLimiter(options.ratePerClient)
        while !stop.isStopped {
            // While a full batch waits for the writer, the socket is left unread: a flood then
            // waits in libzmq's bounded queues, not in this process.
            let reading = writer.queuedCount < options.maxBatch
            let ready = try ZMQPoller.poll(reading ? [socket] : [], wakingOn: [deferred.wake, writer.answersReady],
                                           timeoutMilliseconds: stopCheckMilliseconds)
            let socketReady = reading && ready[0]
            if ready[ready.count - 2] { deferred.wake.clear() }
            if ready[ready.count - 1] { writer.answersReady.clear() }
            if !socketReady { replies.forgetWaits(olderThan: options.maxWait) }
            if socketReady {
                var refused: [CommandWriter.Answered] = []
                var accepted: [CommandWriter.Command] = []
                while refused.count + accepted.count < options.maxBatch, let (frames, principal) = try socket.receiveAuthenticated(wait: false) {
                    guard let message = RoutedMessage(frames: frames, principal: principal) else {
                        reject("missing_frames", "a message without routing id and body")
                        continue
                    }
                    guard limiter.allow(message.rateClient) else {
                        metrics.rejected(endpoint: "commands", reason: "rate_limited")
                        let refusal = OmnibusError(.unavailable, "more than \(Int(options.ratePerClient.ratePerSecond)) commands a second; "
                                                   + "nothing was applied, retry with the same id")
                        // Its id is read only from a small body: a flood must not cost a decode per message.
                        let body = message.body.first ?? Data()
                        let id = body.count <= 4096 ? Self.readableRequestId(body) : ""
                        refused.append((message, .reply(Self.reply(requestId: id, refusal))))
                        continue
                    }
                    switch screen(message) {
                    case .success(let (entry, command)): accepted.append((message, entry, command))
                    case .failure(let refusal): refused.append((message, .reply(Self.reply(requestId: refusal.requestId, refusal.error))))
                    }
                }
                writer.submit(accepted)
                try replies.send(refused, on: socket)
            }
            // Completions first, then whether the writer is busy, then its answers: see ReplyRouting.
            let completions = deferred.takeCompleted()
            let writerWasBusy = writer.isBusy
            try replies.deliver(writer.takeAnswers(), completions: completions, writerWasBusy: writerWasBusy, on: socket)
        }
    }

    /// The commands to apply: all of them, or — while free space is below the floor — only
    /// the queries, the others answered `unavailable` in `answers`.
    private func refusingWritesIfDiskIsLow(
        _ commands: [CommandWriter.Command], answers: inout [CommandWriter.Answered]
    ) -> [CommandWriter.Command] {
        guard !commands.isEmpty, disk.minimumFreeBytes > 0 else { return commands }
        let reading = disk.read()
        guard reading.isLow else { return commands }
        let refusal = OmnibusError(.unavailable, "the disk is nearly full (\(reading.freeBytes >> 20) MiB free, the floor is "
                                   + "\(disk.minimumFreeBytes >> 20) MiB): nothing was applied; queries and replay still work, retry with the same id later")
        return commands.filter { message, entry, command in
            guard entry.storesReply else { return true }
            count(command.header.command, ErrorCode.unavailable.rawValue)
            metrics.rejected(endpoint: "commands", reason: "disk_low")
            answers.append((message, .reply(Self.reply(requestId: command.header.id, refusal))))
            return false
        }
    }

    /// What a command gets: its reply now, or a wait for the reply under `key`.
    enum Answer {
        case reply(Data)
        /// A reply the writer did not encode, to encode when sending it.
        case encode(requestId: String, @Sendable () throws -> Data)
        case pending(key: String, requestId: String)
    }

    /// Applies screened commands in one transaction; returns each one's reply.
    private func apply(_ commands: [CommandWriter.Command]) -> [CommandWriter.Answered] {
        guard !commands.isEmpty else { return [] }
        do {
            let answers = try store.write { db in
                try commands.map { message, entry, command in (message, try execute(command, entry, from: message.principal, in: db)) }
            }
            if FaultInjection.isArmed {
                for (_, _, command) in commands { FaultInjection.killIfArmed("after-commit:\(command.header.command)") }
            }
            return answers
        } catch {
            logger.error("command transaction failed", metadata: ["error": "\(error)", "commands": "\(commands.count)"])
            let refusal = OmnibusError(.unavailable, "the service could not commit; retry with the same id")
            return commands.map { message, _, command in (message, .reply(Self.reply(requestId: command.header.id, refusal))) }
        }
    }

    private func execute(
        _ command: CommandRegistry.DecodedCommand, _ entry: CommandRegistry.Entry, from principal: String?, in db: Database
    ) throws -> Answer {
        let header = command.header
        if let stored = try CommandReplyStore.find(requestId: header.id, in: db) {
            // Request ids are the caller's choice: another principal's reply is never given out.
            guard stored.principal == nil || stored.principal == principal else {
                count(header.command, "conflict")
                return .reply(Self.reply(requestId: header.id, OmnibusError(.conflict, "request id \(header.id) was already used by another caller")))
            }
            guard stored.command == header.command else {
                count(header.command, "conflict")
                return .reply(Self.reply(requestId: header.id, OmnibusError(
                    .conflict, "request id \(header.id) was already used for \(stored.command)")))
            }
            count(header.command, "repeated")
            guard let key = stored.rereadKey, let reread = entry.reread else { return .reply(stored.reply) }
            // Kept as a key: the state the reply showed, read again (it may have moved on since).
            do {
                return .reply(try reread(key, header.id, db))
            } catch let error as OmnibusError {
                return .reply(Self.reply(requestId: header.id, error))
            }
        }
        // A request whose reply is still being worked on belongs to whoever sent it first.
        if principal != nil, let owner = try CommandReplyStore.Owners.owner(of: header.id, in: db), owner != principal {
            count(header.command, "conflict")
            return .reply(Self.reply(requestId: header.id, OmnibusError(.conflict, "request id \(header.id) was already used by another caller")))
        }
        var reply = Data()
        var rereadKey: String?
        var encodeReply: (@Sendable () throws -> Data)?
        do {
            var ran = CommandRegistry.Ran.reply(Data())
            try Self.inSavepoint(db) {
                ran = try command.run(CommandContext(header: header, db: db, store: store))
            }
            switch ran {
            case .reply(let data):
                reply = data
            case .rereadable(let encode, let key):
                encodeReply = encode
                rereadKey = key
            case .pending(let key):
                count(header.command, "pending")
                if let principal, entry.storesReply {
                    try CommandReplyStore.Owners.record(requestId: header.id, principal: principal, in: db)
                }
                return .pending(key: key, requestId: header.id)
            }
            count(header.command, "ok")
        } catch let error as OmnibusError {
            count(header.command, error.code.rawValue)
            reply = Self.reply(requestId: header.id, error)
        } catch let error as SavepointRollbackFailed {
            throw error  // fails the transaction: every command of the batch gets `unavailable`
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            count(header.command, "conflict")
            reply = Self.reply(requestId: header.id, OmnibusError(.conflict, "the change conflicts with current state"))
        } catch {
            // Not the domain's answer but a fault: nothing of the command is kept, so a retry may succeed.
            count(header.command, "internal")
            logger.error("command failed", metadata: ["command": "\(header.command)", "requestId": "\(header.id)", "error": "\(error)"])
            return .reply(Self.reply(requestId: header.id, OmnibusError(.internal, "\(header.command) failed inside the service; nothing was applied")))
        }
        // Replies of applied commands and of commands refused by the domain are both kept:
        // a retry gets the same answer even if the state has moved on since — except that an
        // applied `RetryReply` command keeps only its key, and its retry reads the state again.
        if entry.storesReply {
            try CommandReplyStore.save(requestId: header.id, command: header.command, reply: reply,
                                       rereadKey: rereadKey, principal: principal, in: db)
        }
        return encodeReply.map { .encode(requestId: header.id, $0) } ?? .reply(reply)
    }

    /// Runs `body` in a savepoint of the open transaction: released when it returns, rolled
    /// back (events included) when it throws. Through cached statements, because GRDB's
    /// `inSavepoint` prepares its SQL anew for every command.
    private static func inSavepoint(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT command").execute()
        do {
            try body()
        } catch {
            do {
                try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT command").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
            } catch let rollback {
                // The command's writes could not be undone: the whole batch must not commit.
                throw SavepointRollbackFailed(handlerError: error, rollbackError: rollback)
            }
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT command").execute()
    }

    /// A command failed and its savepoint could not be rolled back either.
    private struct SavepointRollbackFailed: Error {
        var handlerError: any Error
        var rollbackError: any Error
    }

    /// The encoded error reply to request `requestId`.
    static func reply(requestId: String, _ error: OmnibusError) -> Data {
        (try? ContractCoding.encode(CommandReply<Empty>(requestId: requestId, error: error)))
            ?? Data(#"{"requestId":"","ok":false,"error":{"code":"internal","message":"unencodable reply"}}"#.utf8)
    }

    func count(_ command: String, _ outcome: String) {
        metrics.counter(BusMetric.commands, [("command", command), ("outcome", outcome)]).increment()
    }
}
