import Dispatch
import Foundation
import GRDB
import MetricsTestKit
import OmnibusBus
import OmnibusService
import OmnibusTestSupport
import Synchronization
import Testing

/// The WAL checkpointer meets a busy database often under load; that is routine, counted,
/// and tried again, never a warning in the service's log.
@Suite("WAL checkpointer", .timeLimit(.minutes(1)))
struct CheckpointerTests {
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
