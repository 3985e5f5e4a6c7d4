import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle
import Synchronization

/// Consumes other services' events with nothing lost and nothing applied twice, on top of
/// PUB/SUB, which drops messages by design.
///
/// It subscribes first, then asks each source's replay endpoint for everything after its
/// last applied sequence. Live events that follow on directly are applied; older ones are
/// duplicates and dropped; a hole in the sequence, or a heartbeat announcing a head beyond
/// what it has, makes it replay the missing range. Each batch of events and the new
/// `inboxOffset` of their sources are committed in one transaction.
public final class EventSubscriber: Service, Sendable {
    public struct Options: Sendable {
        /// How the subscriber reads the bus; a live batch is applied in one transaction.
        public var reading = BusReadingOptions()
        /// Called on the subscriber's thread after each committed batch, with the source and
        /// the sequence now applied (for latency measurements and custom metrics); keep it quick.
        public var onCommitted: (@Sendable (_ source: String, _ appliedThrough: Int64) -> Void)?
        public init() {}
    }

    private let store: EventStore
    private let sources: [SubscriptionSource]
    private let registry: EventHandlerRegistry
    private let context: ZMQContext
    private let options: Options
    private let logger: Logger
    private let metrics: MetricsRecorder
    private let progressSnapshot = Mutex<[String: SourceProgress]>([:])

    init(store: EventStore, sources: [SubscriptionSource], registry: EventHandlerRegistry, context: ZMQContext,
         options: Options, logger: Logger, metrics: MetricsRecorder) {
        self.store = store
        self.sources = sources
        self.registry = registry
        self.context = context
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    /// How far each source is applied, as of the last committed batch.
    public var progress: [String: SourceProgress] { progressSnapshot.withLock { $0 } }

    public func run() async throws {
        try await runOnDedicatedThread(name: "\(store.source)-subscriber") { stop in try self.loop(until: stop) }
    }

    private func loop(until stop: StopSignal) throws {
        let (offsets, epochs) = try store.database.pool.read { db in (try InboxOffsets.all(in: db), try InboxOffsets.epochs(in: db)) }
        // A service keeps state from what it reads: events it cannot get are an incident.
        let reader = try BusReader(sources: sources, startAfter: offsets, epochs: epochs, snapshotsOf: registry.snapshotSources,
                                   lossLevel: .critical, context: context,
                                   logger: logger, metrics: metrics, options: options.reading)
        publishProgress(reader)
        _ = try reader.requestReplays()
        logger.info("subscriber started", metadata: ["sources": "\(offsets)"])
        while !stop.isStopped {
            _ = try reader.read(
                atMost: stopCheckMilliseconds,
                rejected: { reject($0.reason, $0.detail) },
                gapRepaired: { _, _ in },  // counted by the stream
                snapshot: { chunk in
                    fold(chunk, from: reader)
                    publishProgress(reader)
                }
            ) { events in
                apply(events, from: reader)
                publishProgress(reader)
                return true
            }
            _ = try reader.requestReplays()
            publishProgress(reader)
        }
    }

    /// Applies events (each stream's in order) and their offsets in one transaction.
    private func apply(_ events: [ReceivedEvent], from reader: BusReader) {
        guard !events.isEmpty else { return }
        do {
            let applied: [String: Int64]
            do {
                applied = try commit(events, isolatingHandlers: false, reader: reader)
            } catch is HandlerFailedInBatch {
                // Rare: redo the batch with a savepoint per event, so only the failing one is parked.
                applied = try commit(events, isolatingHandlers: true, reader: reader)
            }
            for (source, sequence) in applied { reader.stream(named: source)?.committed(through: sequence) }
            for (source, sequence) in applied { options.onCommitted?(source, sequence) }
        } catch {
            // Nothing was committed: the in-memory position rolls back and replay fetches the events again.
            logger.error("applying events failed; will replay", metadata: ["error": "\(error)", "events": "\(events.count)"])
            for stream in reader.streams { stream.rollBack() }
        }
    }

    /// Folds a snapshot chunk in one transaction; with the last one, the source's offset
    /// moves to the snapshot's sequence in the same transaction. A record whose handler fails
    /// is parked as a dead letter (its own savepoint), like an event.
    private func fold(_ chunk: SnapshotChunk, from reader: BusReader) {
        guard let stream = reader.stream(named: chunk.source) else { return }
        do {
            try store.write { db in
                let context = SnapshotContext(db: db, source: chunk.source, sequence: chunk.sequence, snapshotId: chunk.id, store: store)
                for (kind, records) in Self.byKind(chunk.records) {
                    guard let handler = registry.snapshotHandler(source: chunk.source, kind: kind) else { continue }
                    do {
                        try db.inSavepoint {
                            try handler(records, context)
                            return .commit
                        }
                    } catch {
                        // Rare: one by one, so only the failing records are parked.
                        for record in records {
                            do {
                                try db.inSavepoint {
                                    try handler([record], context)
                                    return .commit
                                }
                            } catch {
                                try parkSnapshotRecord(record, of: chunk, reason: "snapshot handler failed: \(error)", in: db)
                            }
                        }
                    }
                }
                if chunk.isLast { try InboxOffsets.save(source: chunk.source, appliedThrough: chunk.sequence, epoch: stream.epoch, in: db) }
            }
            stream.committed(chunk)
            if chunk.isLast { options.onCommitted?(chunk.source, chunk.sequence) }
        } catch {
            logger.error("folding a snapshot chunk failed; will ask for it again", metadata: ["error": "\(error)", "source": "\(chunk.source)"])
            stream.rollBack()
        }
    }

    /// The records grouped by kind, kinds in the order they first appear (a snapshot sends kind after kind).
    private static func byKind(_ records: [SnapshotRecord]) -> [(String, [SnapshotRecord])] {
        var groups: [(String, [SnapshotRecord])] = []
        for record in records {
            if groups.last?.0 == record.kind { groups[groups.count - 1].1.append(record) } else { groups.append((record.kind, [record])) }
        }
        return groups
    }

    private func parkSnapshotRecord(_ record: SnapshotRecord, of chunk: SnapshotChunk, reason: String, in db: Database) throws {
        try DeadLetter(id: nil, source: chunk.source, sequence: chunk.sequence, eventId: chunk.id, type: "snapshot.\(record.kind)",
                       reason: reason, envelope: try ContractCoding.encode(record),
                       recordedAt: Timestamp.now().millisecondsSince1970).insert(db)
        metrics.counter(BusMetric.deadLetters, [("from", chunk.source)]).increment()
        logger.error("snapshot record parked as dead letter", metadata: [
            "source": "\(chunk.source)", "kind": "\(record.kind)", "key": "\(record.key)", "reason": "\(reason)",
        ])
    }

    /// A handler threw while savepoints were off: the whole batch is rolled back and redone.
    private struct HandlerFailedInBatch: Error {}

    private func commit(_ events: [ReceivedEvent], isolatingHandlers: Bool, reader: BusReader) throws -> [String: Int64] {
        try store.write { db in
            var last: [String: Int64] = [:]
            for event in events {
                try applyOne(event, in: db, isolated: isolatingHandlers)
                last[event.header.source] = event.header.sequence
            }
            for (source, sequence) in last {
                try InboxOffsets.save(source: source, appliedThrough: sequence, epoch: reader.stream(named: source)?.epoch, in: db)
            }
            return last
        }
    }

    private func applyOne(_ event: ReceivedEvent, in db: Database, isolated: Bool) throws {
        let header = event.header
        switch registry.decide(header) {
        case .ignore:
            break
        case .deadLetter(let reason):
            try park(event, reason: reason, in: db)
        case .handle(let handler):
            let context = EventContext(db: db, event: header, store: store)
            guard isolated else {
                do { try handler(event, context) } catch { throw HandlerFailedInBatch() }
                return
            }
            do {
                try db.inSavepoint {
                    try handler(event, context)
                    return .commit
                }
            } catch {
                try park(event, reason: "handler failed: \(error)", in: db)
            }
        }
    }

    private func park(_ event: ReceivedEvent, reason: String, in db: Database) throws {
        try DeadLetter.record(header: event.header, envelope: event.envelope, reason: reason, in: db)
        metrics.counter(BusMetric.deadLetters, [("from", event.header.source)]).increment()
        logger.error("event parked as dead letter", metadata: [
            "source": "\(event.header.source)", "sequence": "\(event.header.sequence)",
            "type": "\(event.header.type)", "reason": "\(reason)",
        ])
    }

    private func publishProgress(_ reader: BusReader) {
        let snapshot = reader.progress
        progressSnapshot.withLock { $0 = snapshot }
    }

    private func reject(_ reason: String, _ detail: String) {
        metrics.rejected(endpoint: "subscriber", reason: reason)
        logger.warning("message dropped", metadata: ["reason": "\(reason)", "detail": "\(detail)"])
    }
}
