import Foundation
import GRDB
import Logging
import Metrics
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle
import Synchronization

/// Publishes committed outbox events on the service's PUB socket, right after each commit,
/// and a heartbeat with the latest sequence about once a second.
///
/// It remembers how far it has published (`relayCursor`, saved a few times a second), and
/// after a restart publishes again from there: events committed but never sent before a
/// crash go out then. A few may go out twice; subscribers drop those by sequence.
public final class PublisherRelay: Service, Sendable {
    public struct Options: Sendable {
        public var heartbeatMilliseconds = 1000
        /// Events queued for one subscriber that does not keep up, at most; libzmq drops the
        /// rest for that subscriber, which sees the gap and replays it. Bounds what a
        /// subscriber that never reads costs (an envelope is about 750 bytes).
        public var sendHighWaterMark: Int32 = 20_000
        /// The largest subscription message accepted (a topic prefix); a peer sending a larger
        /// one is disconnected. libzmq keeps subscriptions in a trie of about 100 bytes per
        /// byte of prefix, so a megabyte prefix would cost a hundred megabytes.
        public var maxSubscriptionBytes = 1024
        /// How often the relay cursor is saved while events flow, in milliseconds.
        public var cursorSaveMilliseconds = 250
        public init() {}
    }

    /// The endpoint actually bound, once ready.
    package let bound = BoundAddress()
    private let store: EventStore
    private let endpoint: String
    private let context: ZMQContext
    private let options: Options
    private let logger: Logger
    private let metrics: MetricsRecorder
    private let published = Atomic<Int64>(-1)

    init(store: EventStore, endpoint: String, context: ZMQContext, options: Options, logger: Logger, metrics: MetricsRecorder) {
        self.store = store
        self.endpoint = endpoint
        self.context = context
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    /// The latest sequence handed to the PUB socket (-1 before the relay has started).
    public var publishedThrough: Int64 { published.load(ordering: .acquiring) }

    public func run() async throws {
        try await runOnDedicatedThread(name: "\(store.source)-relay") { stop in try self.loop(until: stop) }
    }

    private func loop(until stop: StopSignal) throws {
        let socket = try ZMQSocket(context: context, type: .publisher)
        try socket.setSendHighWaterMark(options.sendHighWaterMark)
        try socket.setMaxMessageSize(bytes: Int64(options.maxSubscriptionBytes))
        try socket.bind(endpoint, zapDomain: ServerRole.events.domain(of: store.source))
        bound.set(try socket.lastEndpoint)
        let pool = store.database.pool
        var sent = try pool.read { db in try Self.cursor(in: db) }
        // Changes only offline (a restore), so read once.
        let epoch = try pool.read { db in try LogEpochs.current(in: db) }
        var saved = sent
        var lastSave = ContinuousClock.now
        var lastHeartbeat = ContinuousClock.now - .seconds(3600)
        let eventsCounter = metrics.counter(BusMetric.eventsPublished)
        let heartbeats = metrics.counter(BusMetric.heartbeatsSent)
        let publishedGauge = metrics.gauge(BusMetric.publishedSequence)
        var topics = TopicCache(source: store.source)
        logger.info("relay publishing", metadata: ["endpoint": "\(bound.endpoint ?? endpoint)", "from": "\(sent)"])
        published.store(sent, ordering: .releasing)
        // The epoch before any event: a subscriber connected in time learns of a restore
        // before the restored log's events, whose numbers it may have seen before.
        let first = Heartbeat(source: store.source, head: sent, time: .now(), epoch: epoch)
        try socket.send([Data(Topic.heartbeat(source: store.source).utf8), try ContractCoding.encode(first)], wait: false)

        while true {
            let stopping = stop.isStopped
            sent = try publishPending(after: sent, on: socket, topics: &topics, counter: eventsCounter)
            published.store(sent, ordering: .releasing)
            let now = ContinuousClock.now
            if now - lastHeartbeat >= .milliseconds(options.heartbeatMilliseconds) {
                let heartbeat = Heartbeat(source: store.source, head: sent, time: .now(), epoch: epoch)
                try socket.send([Data(Topic.heartbeat(source: store.source).utf8), try ContractCoding.encode(heartbeat)], wait: false)
                heartbeats.increment()
                publishedGauge.record(sent)
                lastHeartbeat = now
            }
            if sent != saved && (stopping || now - lastSave >= .milliseconds(options.cursorSaveMilliseconds)) {
                try pool.write { db in try Self.saveCursor(sent, in: db) }
                saved = sent
                lastSave = now
            }
            if stopping { break }
            let untilHeartbeat = options.heartbeatMilliseconds - Int((now - lastHeartbeat).wholeMilliseconds)
            _ = store.commits.wait(milliseconds: max(1, min(stopCheckMilliseconds, untilHeartbeat)))
        }
        logger.info("relay stopped", metadata: ["publishedThrough": "\(sent)"])
    }

    /// Sends every committed event after `sequence`; returns the last one sent.
    ///
    /// Runs for every event the service writes, so it reads rows through ``RawStatement``
    /// and hands libzmq the envelope straight from SQLite's buffer.
    private func publishPending(after sequence: Int64, on socket: ZMQSocket, topics: inout TopicCache, counter: Counter) throws -> Int64 {
        var sent = sequence
        while true {
            let before = sent
            try store.database.pool.read { db in
                let rows = try db.raw("SELECT sequence, type, envelope FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT 1000")
                defer { rows.finish() }
                try rows.bind(1, sent)
                while try rows.step() {
                    let topic = topics.topic(forType: rows.bytes(1))
                    // PUB never blocks: past the high-water mark libzmq drops, and subscribers repair by replay.
                    _ = try topic.withUnsafeBytes { topic in try socket.send(topic, rows.bytes(2), wait: false) }
                    sent = rows.int64(0)
                }
            }
            guard sent != before else { return sent }
            counter.increment(by: Int(sent - before))
        }
    }

    static func cursor(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT publishedThrough FROM relayCursor WHERE id = 1") ?? 0
    }

    static func saveCursor(_ sequence: Int64, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO relayCursor (id, publishedThrough) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET publishedThrough = excluded.publishedThrough",
            arguments: [sequence])
    }
}

/// The topic frame of each event type the relay has published, so an event's topic is not
/// built again for every event.
struct TopicCache {
    private let source: String
    private var byType: [[UInt8]: Data] = [:]
    private var last: (type: [UInt8], topic: Data)?

    init(source: String) { self.source = source }

    /// The topic `source.type` for the type stored as `typeBytes` (UTF-8).
    mutating func topic(forType typeBytes: UnsafeRawBufferPointer) -> Data {
        // Runs of one type are the common case: compare with the last before hashing.
        if let last, last.type.elementsEqual(typeBytes) { return last.topic }
        let type = [UInt8](typeBytes)
        let topic = byType[type] ?? Data(Topic.event(source: source, type: String(decoding: type, as: UTF8.self)).utf8)
        if byType.count < 4096 { byType[type] = topic }
        last = (type, topic)
        return topic
    }
}
