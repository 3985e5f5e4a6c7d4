import AsyncAlgorithms
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Metrics
import OmnibusClient
import ServiceLifecycle

/// Moves SQLite's WAL checkpoints off the commit path, and keeps the WAL file reused.
///
/// By default SQLite checkpoints inside whichever commit makes the WAL pass 1,000 pages, so
/// that commit (a command's, or a subscriber's batch) pays for copying the WAL into the
/// database: the latency spikes and throughput dips the benchmark showed. Services turn
/// auto-checkpointing off (``ServiceDatabase``) and run this instead, a few times a second
/// from its own connection:
///
/// 1. a PASSIVE checkpoint copies the WAL's pages into the database without waiting for or
///    blocking anyone;
/// 2. a RESTART checkpoint then copies the few pages committed meanwhile and makes the next
///    commit write the WAL from its start again, once the WAL holds 4 MiB since the last
///    restart. It holds writers back for that short moment and gives up after 2 ms if a
///    reader is still on the WAL (the next tick tries again).
///
/// Without step 2 a busy WAL never gets restarted (new commits always arrive while a
/// passive checkpoint runs), so every commit grows the file, and on ext4 each commit's sync
/// then also waits for a journal commit entangled with the checkpoint's own sync: the
/// commit-to-applied tail the benchmark showed. Past `truncateAboveBytes` (after a burst)
/// a TRUNCATE checkpoint gives the space back; it does the same at once when an erasure
/// asked for it (``Erasure/requestCompaction(in:)``), because the WAL still holds the
/// erased values in older page images.
///
/// A checkpoint that finds the database busy (a reader or writer in its way) is simply tried
/// again at the next tick; those are counted (`omnibus_wal_checkpoints_busy_total`), not
/// logged. Ticks come from a timer that stops on graceful shutdown, and the work runs on
/// GRDB's queue for the checkpointer's own connection, never on a cooperative thread.
public final class WALCheckpointer: Service, Sendable {
    private let path: String
    private let interval: Duration
    private let truncateAboveBytes: Int
    private let logger: Logger
    private let busy: Counter

    init(path: String, interval: Duration = .milliseconds(200), truncateAboveBytes: Int = 64 << 20, logger: Logger,
         metrics: MetricsRecorder) {
        self.path = path
        self.interval = interval
        self.truncateAboveBytes = truncateAboveBytes
        self.logger = logger
        busy = metrics.counter("omnibus_wal_checkpoints_busy_total")
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(checkpointBusyMilliseconds) / 1000)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let (walPath, truncateAboveBytes, logger) = (path + "-wal", truncateAboveBytes, logger)
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            do {
                try await connection.writeWithoutTransaction { db in
                    try compactIfErased(db, logger: logger)
                    let walBytes = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
                    if walBytes > truncateAboveBytes {
                        try checkpointHoldingWritersBriefly(db, .truncate)
                    } else {
                        try checkpointAndRestart(db)
                    }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                busy.increment()
            } catch {
                logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
            }
        }
        // A last full checkpoint leaves a small WAL behind for the next start.
        try? await connection.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}

/// Steps 1 and 2 above.
private func checkpointAndRestart(_ db: Database) throws {
    let frames = try db.checkpoint(.passive).walFrameCount
    // Each restart holds writers back a moment: only once the WAL holds a few MiB since the
    // last one (its file, already that large, is then rewritten in place).
    guard frames >= restartAboveFrames else { return }
    try checkpointHoldingWritersBriefly(db, .restart)
}

/// A RESTART or TRUNCATE checkpoint holds writers back while it waits for readers to leave
/// the WAL: it waits at most `restartWaitMilliseconds`, and a busy WAL throws SQLITE_BUSY,
/// which the tick counts and leaves for the next one.
private func checkpointHoldingWritersBriefly(_ db: Database, _ mode: Database.CheckpointMode) throws {
    sqlite3_busy_timeout(db.sqliteConnection, restartWaitMilliseconds)
    defer { sqlite3_busy_timeout(db.sqliteConnection, checkpointBusyMilliseconds) }
    _ = try db.checkpoint(mode)
}

/// How long a RESTART or TRUNCATE waits for readers (holding writers back meanwhile).
private let restartWaitMilliseconds: Int32 = 2
/// WAL frames (of about 4 KiB) written since the last restart before the next one: 4 MiB.
private let restartAboveFrames = 1_024
/// The checkpointer connection's usual busy timeout.
private let checkpointBusyMilliseconds: Int32 = 1_000

/// Empties the WAL if an erasure asked for it, then marks those requests done. A busy
/// database throws and the next tick tries again; the requests stay until it worked.
private func compactIfErased(_ db: Database, logger: Logger) throws {
    guard let requested = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM compactionRequest") else { return }
    // Holding writers back only briefly: a reader in the way makes it a busy tick, tried again.
    try checkpointHoldingWritersBriefly(db, .truncate)
    try db.inTransaction {
        try db.execute(sql: "DELETE FROM compactionRequest WHERE id <= ?", arguments: [requested])
        return .commit
    }
    logger.info("WAL emptied after an erasure")
}
