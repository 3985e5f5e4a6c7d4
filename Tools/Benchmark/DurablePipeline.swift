import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService
import ServiceLifecycle
import Synchronization

/// A producer service and a consumer service, each with its own SQLite file, wired over
/// tcp://127.0.0.1 exactly as in production, in this one process.
final class DurablePipeline: Sendable {
    static let source = "bench-producer"

    struct Happened: EventContract {
        static let source = DurablePipeline.source
        static let type = "bench.happened"
        var payload: String
    }

    let producer: RunningRuntime
    let consumer: RunningRuntime
    let context: ZMQContext
    private let applied: AppliedClock

    private init(producer: RunningRuntime, consumer: RunningRuntime, context: ZMQContext, applied: AppliedClock) {
        self.producer = producer
        self.consumer = consumer
        self.context = context
        self.applied = applied
    }

    /// Starts the producer on `context` and the consumer on `consumerContext` (the same one
    /// unless given); with `access`, both authenticate their clients (each context then needs
    /// CURVE keys and a ZAP handler of its own, so the two contexts must differ).
    static func start(
        directory: String, context: ZMQContext, consumerContext: ZMQContext? = nil, access: BusAccess? = nil
    ) async throws -> DurablePipeline {
        var producerConfiguration = ServiceRuntime.Configuration(
            name: source, databasePath: directory + "/producer.sqlite", endpoints: .ephemeral)
        producerConfiguration.access = access
        let producer = try await RunningRuntime.start(
            try ServiceRuntime(configuration: producerConfiguration, context: context, logger: quietLogger), logger: quietLogger)
        let applied = AppliedClock()
        let consumer = try await RunningRuntime.start(try consumerRuntime(
            name: "bench-consumer", path: directory + "/consumer.sqlite", from: producer, context: consumerContext ?? context,
            access: access, clock: applied),
            logger: quietLogger)
        return DurablePipeline(producer: producer, consumer: consumer, context: context, applied: applied)
    }

    /// Appends `events` in transactions of `batch` as fast as possible; the rate is events
    /// over the time from the first commit until the consumer has committed the last.
    func throughput(events: Int, batch: Int, payloadBytes: Int) async throws -> (endToEnd: Double, producer: Double) {
        let store = producer.runtime.store
        let start = ContinuousClock.now
        let target = try store.head() + Int64(events)
        let payload = String(repeating: "p", count: payloadBytes)
        let produced = try await DedicatedThread.run(name: "bench-producer", stop: StopSignal()) {
            var written = 0
            while written < events {
                let size = min(batch, events - written)
                try store.append(Array(repeating: PendingEvent(Happened(payload: payload)), count: size))
                written += size
            }
            return Double(events) / (ContinuousClock.now - start).secondsValue
        }
        try await applied.wait(through: target)
        return (Double(events) / (ContinuousClock.now - start).secondsValue, produced)
    }

    /// Commits one event at a time at `rate` per second and measures, per event, the time
    /// from its producer commit to the consumer's commit of it.
    func latency(events: Int, rate: Int, payloadBytes: Int) async throws -> LatencySummary {
        let store = producer.runtime.store
        let first = try store.head() + 1
        applied.startRecording(from: first, count: events)
        let payload = String(repeating: "l", count: payloadBytes)
        let clock = applied
        try await DedicatedThread.run(name: "bench-paced-producer", stop: StopSignal()) {
            let start = ContinuousClock.now
            for index in 0..<events {
                let due = start + .microseconds(index * 1_000_000 / rate)
                let wait = due - .now
                if wait > .zero { Thread.sleep(forTimeInterval: wait.secondsValue) }
                let sequence = try store.append([PendingEvent(Happened(payload: payload))])[0]
                clock.committed(sequence, at: .now)
            }
        }
        try await applied.wait(through: first + Int64(events) - 1)
        return LatencySummary(milliseconds: applied.stopRecording())
    }

    /// A new subscriber whose offset is `behind` events before the producer's head: the rate
    /// at which it replays and applies them, from its first applied batch to the last (the
    /// replay itself), and counting from its start (opening its database, connecting).
    func catchUp(behind: Int, directory: String) async throws -> (replay: Double, fromStart: Double) {
        let head = try producer.runtime.store.head()
        let path = directory + "/catch-up.sqlite"
        try await ServiceDatabase(path: path).pool.write { db in
            try InboxOffsets.save(source: Self.source, appliedThrough: head - Int64(behind), in: db)
        }
        let clock = AppliedClock()
        let start = ContinuousClock.now
        let catchUp = try await RunningRuntime.start(try Self.consumerRuntime(
            name: "bench-catch-up", path: path, from: producer, context: context, clock: clock),
            logger: quietLogger)
        try await clock.wait(through: head)
        let end = ContinuousClock.now
        try await catchUp.stop()
        let fromStart = Double(behind) / (end - start).secondsValue
        guard let first = clock.firstBatch, first.through < head else { return (fromStart, fromStart) }
        return (Double(head - first.through) / (end - first.at).secondsValue, fromStart)
    }

    func stop() async throws {
        try await consumer.stop()
        try await producer.stop()
    }

    private static func consumerRuntime(
        name: String, path: String, from producer: RunningRuntime, context: ZMQContext, access: BusAccess? = nil, clock: AppliedClock
    ) throws -> ServiceRuntime {
        var events = EventHandlerRegistry()
        events.onRaw(Happened.self) { event, context in
            try context.db.cachedStatement(sql: "INSERT INTO sink (sequence, eventId) VALUES (?, ?)")
                .execute(arguments: [event.header.sequence, event.header.id])
        }
        var configuration = ServiceRuntime.Configuration(name: name, databasePath: path, endpoints: .ephemeral)
        configuration.sources = [producer.asSource]
        configuration.subscriber.onCommitted = { _, through in clock.applied(through: through) }
        configuration.access = access
        return try ServiceRuntime(
            configuration: configuration, events: events,
            migrations: { migrator in
                migrator.registerMigration("bench-sink") { db in
                    try db.execute(sql: "CREATE TABLE sink (sequence INTEGER NOT NULL, eventId TEXT NOT NULL)")
                }
            },
            context: context, logger: quietLogger)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "omnibus.bench")
    logger.logLevel = .error
    return logger
}()
