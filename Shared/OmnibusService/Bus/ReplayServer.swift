import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// Answers "events of this source after sequence N" from the outbox, on a ROUTER socket, and
/// serves the source's state as a snapshot to clients older than the retained log.
///
/// Request: one JSON frame, a ``ReplayRequest``. Reply: a ``ReplayReplyHeader`` frame, then
/// one frame per envelope, oldest first. A ``SnapshotRequest`` gets a ``SnapshotReplyHeader``
/// and one ``SnapshotRecord`` per frame. See docs/PROTOCOL.md.
public final class ReplayServer: Service, Sendable {
    public struct Options: Sendable {
        /// Events per reply at most (a request's `limit` is capped to this).
        public var maxEventsPerReply = 5000
        /// Bytes of envelopes per reply at most.
        public var maxBytesPerReply = 4 << 20
        /// Requests larger than this are refused without being parsed.
        public var maxRequestBytes = 64 << 10
        /// Replies queued for one client that does not read, at most; further replies to it
        /// are dropped (it asks again when it reads), so a silent client costs at most this
        /// many replies of ``maxBytesPerReply``.
        public var maxQueuedRepliesPerClient: Int32 = 4
        /// Requests per second each client may make on average, and in a burst (per CURVE key,
        /// else per connection); beyond, a request is answered `unavailable`.
        public var ratePerClient = RateLimiter.Limit(ratePerSecond: 200, burst: 400)
        public var snapshots = SnapshotOptions()
        public init() {}
    }

    /// How snapshots are served (see ``SnapshotProvider``).
    public struct SnapshotOptions: Sendable {
        /// Snapshots open at once at most; a further client is told `unavailable`.
        public var maxOpen = 4
        /// A snapshot not asked for its next chunk within this long is closed (each open one
        /// holds a read transaction, which keeps the WAL from being checkpointed past it).
        public var idleTimeout: Duration = .seconds(30)
        /// Records per chunk at most (a request's `limit` is capped to this).
        public var maxRecordsPerChunk = 1_000
        /// Bytes of records per chunk at most (at least one record is sent).
        public var maxBytesPerChunk = 4 << 20
        /// A snapshot open longer than this is closed, read to its end or not.
        public var maxLifetime: Duration = .seconds(600)
        /// New snapshots a second, from all clients together, on average and in a burst.
        public var startsPerSecond = RateLimiter.Limit(ratePerSecond: 2, burst: 4)
        public init() {}
    }

    package let bound = BoundAddress()
    private let store: EventStore
    private let snapshot: SnapshotProvider?
    private let endpoint: String
    private let context: ZMQContext
    private let options: Options
    private let logger: Logger
    private let metrics: MetricsRecorder

    init(store: EventStore, snapshot: SnapshotProvider?, endpoint: String, context: ZMQContext, options: Options, logger: Logger,
         metrics: MetricsRecorder) {
        self.store = store
        self.snapshot = snapshot
        self.endpoint = endpoint
        self.context = context
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        try await runOnDedicatedThread(name: "\(store.source)-replay") { stop in try self.loop(until: stop) }
    }

    private func loop(until stop: StopSignal) throws {
        let socket = try ZMQSocket(context: context, type: .router)
        // libzmq disconnects a peer sending more than this; smaller oversize requests get an error reply.
        try socket.setMaxMessageSize(bytes: Int64(max(options.maxRequestBytes, 16 << 20)))
        try socket.setSendHighWaterMark(options.maxQueuedRepliesPerClient)
        try socket.bind(endpoint, zapDomain: ServerRole.replay.domain(of: store.source))
        bound.set(try socket.lastEndpoint)
        logger.info("replay endpoint ready", metadata: ["endpoint": "\(bound.endpoint ?? endpoint)"])
        var limiter = RateLimiter(options.ratePerClient)
        let epoch = try store.database.pool.read { db in try LogEpochs.current(in: db) }
        let snapshots = SnapshotSessions(source: store.source, pool: store.database.pool, provider: snapshot, options: options.snapshots)
        while !stop.isStopped {
            // One request per poll: the poll is where libzmq takes in, unthrottled, that a
            // client has read its earlier replies. Draining without it, the socket could still
            // count them as queued and drop a reading client's reply at so small a high-water mark.
            snapshots.closeExpired()
            guard try socket.waitForInput(timeoutMilliseconds: stopCheckMilliseconds),
                  let (frames, principal) = try socket.receiveAuthenticated(wait: false) else { continue }
            try serve(frames, principal: principal, on: socket, limiter: &limiter, snapshots: snapshots, epoch: epoch)
        }
    }

    private func serve(_ frames: [Data], principal: String?, on socket: ZMQSocket, limiter: inout RateLimiter,
                       snapshots: SnapshotSessions, epoch: LogEpoch) throws {
        guard let message = RoutedMessage(frames: frames, principal: principal) else {
            return reject(reason: "missing_frames", "a message without routing id and body")
        }
        guard limiter.allow(message.rateClient) else {
            // Counted, not logged: a flood would otherwise fill the disk with the same line.
            metrics.rejected(endpoint: "replay", reason: "rate_limited")
            let refusal = OmnibusError(.unavailable, "more than \(Int(options.ratePerClient.ratePerSecond)) replay requests a second; slow down")
            // No database read for a refusal: a flood must stay cheap.
            let header = ReplayReplyHeader(source: store.source, after: -1, head: 0, count: 0, epoch: epoch, error: refusal)
            return try message.reply([try ContractCoding.encode(header)], on: socket)
        }
        let request: IncomingRequest
        do {
            request = try parse(message)
        } catch {
            return try refuse(error, after: -1, epoch: epoch, on: message, socket: socket)
        }
        if let ask = request.snapshot {
            return try serveSnapshot(ask, source: request.source, to: message, on: socket, sessions: snapshots)
        }
        guard let after = request.after else {
            let missing = OmnibusError(.invalidRequest, "a replay request needs 'after' (or 'snapshot' for a snapshot request)")
            return try refuse(missing, after: -1, epoch: epoch, on: message, socket: socket)
        }
        let replay = ReplayRequest(source: request.source, after: after, limit: request.limit)
        do {
            try validate(replay)
            var (header, events) = try store.database.pool.read { db in try read(replay, in: db) }
            header.epoch = epoch
            metrics.counter(BusMetric.replayServed).increment()
            try message.reply([try ContractCoding.encode(header)] + events, on: socket)
        } catch {
            try refuse(error, after: after, epoch: epoch, on: message, socket: socket)
        }
    }

    /// The events `request` asks for, from one read transaction; `out_of_range` when they
    /// are beyond the head or older than the retained log.
    private func read(_ request: ReplayRequest, in db: Database) throws -> (ReplayReplyHeader, [Data]) {
        let head = try Outbox.head(in: db)
        let oldest = try Outbox.oldest(in: db)
        if request.after > head {
            throw OmnibusError(.outOfRange, "after \(request.after) is beyond \(store.source)'s head \(head)")
        }
        if let oldest, request.after < oldest - 1 {
            throw RetiredEvents(oldest: oldest, head: head, error: OmnibusError(.outOfRange, """
                events after \(request.after) are no longer kept: \(store.source)'s log starts at \(oldest); \
                bootstrap from its snapshot (docs/PROTOCOL.md, 3.1)
                """))
        }
        let limit = min(request.limit ?? options.maxEventsPerReply, options.maxEventsPerReply)
        let events = try Outbox.envelopes(after: request.after, limit: limit, maxBytes: options.maxBytesPerReply, in: db)
        return (ReplayReplyHeader(source: store.source, after: request.after, head: head, count: events.count, oldest: oldest), events)
    }

    /// An `out_of_range` for events retention removed, with where the log now starts.
    private struct RetiredEvents: Error {
        var oldest: Int64
        var head: Int64
        var error: OmnibusError
    }

    private func refuse(_ error: any Error, after: Int64, epoch: LogEpoch, on message: RoutedMessage, socket: ZMQSocket) throws {
        let header: ReplayReplyHeader
        if let retired = error as? RetiredEvents {
            reject(reason: retired.error.code.rawValue, retired.error.message)
            header = ReplayReplyHeader(source: store.source, after: after, head: retired.head, count: 0, oldest: retired.oldest,
                                       epoch: epoch, error: retired.error)
        } else {
            let refusal = error as? OmnibusError ?? OmnibusError(.unavailable, "the event log could not be read; retry later")
            if !(error is OmnibusError) { logger.error("replay failed", metadata: ["error": "\(error)"]) }
            reject(reason: refusal.code.rawValue, refusal.message)
            header = ReplayReplyHeader(source: store.source, after: after, head: (try? store.head()) ?? 0, count: 0, epoch: epoch,
                                       error: refusal)
        }
        try message.reply([try ContractCoding.encode(header)], on: socket)
    }

    private func serveSnapshot(_ ask: SnapshotRequest.Ask, source: String, to message: RoutedMessage, on socket: ZMQSocket,
                               sessions: SnapshotSessions) throws {
        var frames: [Data]
        do {
            guard source == store.source else {
                throw OmnibusError(.notFound, "this endpoint serves '\(store.source)', not '\(InputCheck.excerpt(source))'")
            }
            let (header, records) = try sessions.serve(ask, from: message.identity)
            frames = [try ContractCoding.encode(header)] + records
            if ask.id == nil {
                // Starts are rate-limited, so this cannot flood the log.
                metrics.counter(BusMetric.snapshotsServed).increment()
                logger.notice("serving a snapshot", metadata: ["id": "\(header.id)", "sequence": "\(header.sequence)"])
            }
        } catch {
            let refusal = error as? OmnibusError ?? OmnibusError(.unavailable, "the snapshot could not be read; start again later")
            if !(error is OmnibusError) { logger.error("snapshot failed", metadata: ["error": "\(error)"]) }
            // Counted, not logged: a client could otherwise fill the disk with refusals.
            metrics.rejected(endpoint: "replay", reason: "snapshot_\(refusal.code.rawValue)")
            let header = SnapshotReplyHeader(source: store.source, id: ask.id ?? "", version: ask.versions.max() ?? 0, sequence: 0,
                                             count: 0, cursor: ask.cursor, next: nil, error: refusal)
            frames = [try ContractCoding.encode(header)]
        }
        try message.reply(frames, on: socket)
    }

    /// A replay or snapshot request as read, before it is told apart.
    private struct IncomingRequest: Decodable {
        var source: String
        var after: Int64?
        var limit: Int?
        var snapshot: SnapshotRequest.Ask?
    }

    private func parse(_ message: RoutedMessage) throws -> IncomingRequest {
        guard message.body.count == 1 else {
            throw OmnibusError(.invalidRequest, "a replay request is one JSON frame; got \(message.body.count) frames")
        }
        let body = message.body[0]
        guard body.count <= options.maxRequestBytes else {
            throw OmnibusError(.tooLarge, "request is \(body.count) bytes; the limit is \(options.maxRequestBytes)")
        }
        do {
            return try ContractCoding.decode(IncomingRequest.self, from: body)
        } catch {
            throw OmnibusError(.invalidRequest, "not a replay request: \(InputCheck.excerpt(ContractCoding.explain(error), maxBytes: 300))")
        }
    }

    private func validate(_ request: ReplayRequest) throws {
        guard request.source == store.source else {
            throw OmnibusError(.notFound, "this endpoint serves '\(store.source)', not '\(InputCheck.excerpt(request.source))'")
        }
        guard request.after >= 0 else { throw OmnibusError(.invalidArgument, "after must be 0 or more; got \(request.after)") }
        if let limit = request.limit, limit < 1 {
            throw OmnibusError(.invalidArgument, "limit must be 1 or more (or left out); got \(limit)")
        }
    }

    private func reject(reason: String, _ message: String) {
        metrics.rejected(endpoint: "replay", reason: reason)
        logger.warning("replay request refused", metadata: ["reason": "\(reason)", "detail": "\(message)"])
    }
}
