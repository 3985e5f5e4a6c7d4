import Dispatch
import Foundation
import GRDB
import MetricsTestKit
import OmnibusBus
import OmnibusService
import OmnibusTestSupport
import Synchronization
import Testing

@Suite("WAL checkpoints happen in the background", .timeLimit(.minutes(2)))
struct CheckpointTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test func committedDataReachesTheDatabaseFileAndTheWALStaysSmall() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context) { $0.walTruncateAboveBytes = 4 << 20 }
        let database = directory.file("alpha.sqlite")
        let round = 2_000  // events of about 1 KiB: ~2 MiB a round
        for index in 1...10 {
            try Fixture.append(round, to: producer, text: String(repeating: "w", count: 1000))
            // Commits no longer checkpoint (wal_autocheckpoint=0): only the background
            // checkpointer can move these pages into the database file.
            try await eventually("round \(index) checkpointed into the database file") {
                Self.size(database) >= index * round * 1000
            }
        }
        // 20 MiB went through the WAL; past 4 MiB the checkpointer empties it.
        try await eventually("the WAL is emptied once past its limit") { Self.size(database + "-wal") < 4 << 20 }
        try await producer.stop()
    }

    /// A busy database is routine under load: counted, tried again, never a warning in the log.
    @Test func aReaderInTheWayIsCountedAndRetriedQuietly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let metrics = TestMetrics()
        let capture = LogCapture()
        let logger = capture.logger(label: "test.checkpoint", level: .warning)
        var configuration = ServiceRuntime.Configuration(name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configuration.metricsFactory = metrics
        configuration.walTruncateAboveBytes = 0 // every tick tries to empty the WAL, which needs every reader gone
        let producer = try await RunningRuntime.start(try ServiceRuntime(configuration: configuration, context: context, logger: logger),
                                                      logger: logger)
        try Fixture.append(100, to: producer)

        // A reader holds an old snapshot while newer commits pile up in the WAL.
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }  // a failing wait below must not leave the reader blocked
        let reading = Mutex(false)
        let pool = producer.runtime.store.database.pool
        let reader = Task {
            try await blocking {
                try pool.read { db in
                    _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox")
                    reading.withLock { $0 = true }
                    release.wait()
                }
            }
        }
        try await eventually("the reader holds its snapshot") { reading.withLock { $0 } }
        try Fixture.append(100, to: producer)
        try await eventually("busy checkpoints are counted") { Self.busy(metrics) >= 2 }
        release.signal()
        try await reader.value

        #expect(capture.all.filter { $0.message.contains("checkpoint") }.isEmpty, "\(capture.all.map(\.message))")
        try await eventually("the WAL is emptied once the reader is gone") {
            ((try? FileManager.default.attributesOfItem(atPath: directory.file("alpha.sqlite-wal"))[.size] as? Int) ?? 0) == 0
        }
        try await producer.stop()
    }

    static func busy(_ metrics: TestMetrics) -> Int {
        metrics.counters(label: "omnibus_wal_checkpoints_busy_total").reduce(0) { $0 + Int($1.totalValue) }
    }
}
