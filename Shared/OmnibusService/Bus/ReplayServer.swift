import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// Answers "events of this source after sequence N" from the outbox, on a ROUTER socket.
///
/// Request: one JSON frame, a ``ReplayRequest``. Reply: a ``ReplayReplyHeader`` frame, then
/// one frame per envelope, oldest first. See docs/PROTOCOL.md.
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
        /// Requests per second each connection may make on average, and in a burst; beyond,
        /// a request is answered `unavailable`.
        public var ratePerClient = RateLimiter.Limit(ratePerSecond: 200, burst: 400)
        public init() {}
    }

    package let bound = BoundAddress()
    private let store: EventStore
    private let endpoint: String
    private let context: ZMQContext
    private let options: Options
    private let logger: Logger
    private let metrics: MetricsRecorder

    init(store: EventStore, endpoint: String, context: ZMQContext, options: Options, logger: Logger, metrics: MetricsRecorder) {
        self.store = store
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
        while !stop.isStopped {
            // One request per poll: the poll is where libzmq takes in, unthrottled, that a
            // client has read its earlier replies. Draining without it, the socket could still
            // count them as queued and drop a reading client's reply at so small a high-water mark.
            guard try socket.waitForInput(timeoutMilliseconds: stopCheckMilliseconds),
                  let frames = try socket.receive(wait: false) else { continue }
            try serve(frames, on: socket, limiter: &limiter)
        }
    }

    private func serve(_ frames: [Data], on socket: ZMQSocket, limiter: inout RateLimiter) throws {
        guard let message = RoutedMessage(frames: frames) else {
            return reject(reason: "missing_frames", "a message without routing id and body")
        }
        guard limiter.allow(message.identity) else {
            // Counted, not logged: a flood would otherwise fill the disk with the same line.
            metrics.rejected(endpoint: "replay", reason: "rate_limited")
            let refusal = OmnibusError(.unavailable, "more than \(Int(options.ratePerClient.ratePerSecond)) replay requests a second; slow down")
            // No database read for a refusal: a flood must stay cheap.
            let header = ReplayReplyHeader(source: store.source, after: -1, head: 0, count: 0, error: refusal)
            return try message.reply([try ContractCoding.encode(header)], on: socket)
        }
        let header: ReplayReplyHeader
        var events: [Data] = []
        // The request's `after`, echoed in an error header; -1 until the request is read.
        var after: Int64 = -1
        do {
            let request = try parse(message)
            after = request.after
            try validate(request)
            let head = try store.head()
            if request.after > head {
                throw OmnibusError(.outOfRange, "after \(request.after) is beyond \(store.source)'s head \(head)")
            }
            let limit = min(request.limit ?? options.maxEventsPerReply, options.maxEventsPerReply)
            events = try store.database.pool.read { db in
                try Outbox.envelopes(after: request.after, limit: limit, maxBytes: options.maxBytesPerReply, in: db)
            }
            header = ReplayReplyHeader(source: store.source, after: request.after, head: head, count: events.count)
            metrics.counter(BusMetric.replayServed).increment()
        } catch {
            let refusal = error as? OmnibusError ?? OmnibusError(.unavailable, "the event log could not be read; retry later")
            if !(error is OmnibusError) { logger.error("replay failed", metadata: ["error": "\(error)"]) }
            reject(reason: refusal.code.rawValue, refusal.message)
            header = ReplayReplyHeader(source: store.source, after: after, head: (try? store.head()) ?? 0, count: 0, error: refusal)
        }
        try message.reply([try ContractCoding.encode(header)] + events, on: socket)
    }

    private func parse(_ message: RoutedMessage) throws -> ReplayRequest {
        guard message.body.count == 1 else {
            throw OmnibusError(.invalidRequest, "a replay request is one JSON frame; got \(message.body.count) frames")
        }
        let body = message.body[0]
        guard body.count <= options.maxRequestBytes else {
            throw OmnibusError(.tooLarge, "request is \(body.count) bytes; the limit is \(options.maxRequestBytes)")
        }
        let request: ReplayRequest
        do {
            request = try ContractCoding.decode(ReplayRequest.self, from: body)
        } catch {
            throw OmnibusError(.invalidRequest, "not a replay request: \(InputCheck.excerpt(ContractCoding.explain(error), maxBytes: 300))")
        }
        return request
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
