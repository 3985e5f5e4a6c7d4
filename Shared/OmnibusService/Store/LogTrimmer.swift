import AsyncAlgorithms
import GRDB
import Logging
import Metrics
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// Keeps the event log within its ``EventRetention``: every `interval` it removes the events
/// no longer kept, a chunk per write transaction (commands wait for one chunk at most, never
/// for the whole pass), then gives the freed pages back to the filesystem with SQLite's
/// incremental vacuum, a chunk at a time too. With retention off it still counts the log's
/// size for `service.health` and the metrics.
package final class LogTrimmer: Service, Sendable {
    private let store: EventStore
    private let retention: EventRetention
    private let interval: Duration
    private let logger: Logger
    private let logBytes: Gauge
    private let oldest: Gauge
    private let retired: Counter
    /// Events removed per transaction at most.
    static let chunk = 5_000
    /// Pages returned to the filesystem per transaction at most (4 MiB of 4 KiB pages).
    static let vacuumPages = 1_024

    package init(store: EventStore, retention: EventRetention, interval: Duration, logger: Logger, metrics: MetricsRecorder) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
        logBytes = metrics.gauge(BusMetric.eventLogBytes)
        oldest = metrics.gauge(BusMetric.oldestSequence)
        retired = metrics.counter(BusMetric.eventsRetired)
    }

    package func run() async throws {
        if !store.database.incrementalVacuum {
            logger.warning("the database could not be converted for incremental vacuum (too little free disk); freed pages are reused but the file does not shrink until a start with more space")
        }
        await pass()
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            await pass()
        }
    }

    private func pass() async {
        do {
            let removed = try await trim()
            let freedPages = try await vacuum()
            let (size, first) = try await store.database.pool.read { db in (try Outbox.size(in: db), try Outbox.oldest(in: db)) }
            logBytes.record(size.bytes)
            oldest.record(first ?? 0)
            if removed > 0 {
                logger.info("event log trimmed", metadata: [
                    "removed": "\(removed)", "oldest": "\(first ?? 0)", "logBytes": "\(size.bytes)", "freedPages": "\(freedPages)",
                ])
            }
        } catch {
            logger.error("trimming the event log failed; will try again", metadata: ["error": "\(error)"])
        }
    }

    /// Removes what retention no longer keeps and returns how many events went.
    package func trim() async throws -> Int {
        while try await !store.database.pool.write({ db in try Outbox.count(atMost: Self.chunk * 4, in: db) }) {}
        var total = 0
        while true {
            let removed = try await store.database.pool.write { [retention] db in
                try Outbox.trim(retention, now: .now(), chunk: Self.chunk, in: db)
            }
            total += removed
            retired.increment(by: removed)
            if removed < Self.chunk { return total }
        }
    }

    /// Returns free pages to the filesystem (the file shrinks) and returns how many.
    package func vacuum() async throws -> Int {
        var total = 0
        while true {
            let freed = try await store.database.pool.writeWithoutTransaction { db -> Int in
                let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard free > 0 else { return 0 }
                try db.execute(sql: "PRAGMA incremental_vacuum(\(Self.vacuumPages))")
                return free - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
            total += freed
            // Less than a chunk: done (or the database does not vacuum incrementally).
            if freed < Self.vacuumPages { return total }
        }
    }
}
