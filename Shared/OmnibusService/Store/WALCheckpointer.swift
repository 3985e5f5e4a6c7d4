import Foundation
import GRDB
import GRDBSQLite
import Logging
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
public final class WALCheckpointer: Service, Sendable {
    private let path: String
    private let intervalMilliseconds: Int
    private let truncateAboveBytes: Int
    private let logger: Logger

    public init(path: String, intervalMilliseconds: Int = 200, truncateAboveBytes: Int = 64 << 20, logger: Logger) {
        self.path = path
        self.intervalMilliseconds = intervalMilliseconds
        self.truncateAboveBytes = truncateAboveBytes
        self.logger = logger
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(checkpointBusyMilliseconds) / 1000)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let walPath = path + "-wal"
        try await runOnDedicatedThread(name: "wal-checkpoint") { [intervalMilliseconds, truncateAboveBytes, logger] stop in
            var waited = 0
            while true {
                if stop.isStopped { break }
                Thread.sleep(forTimeInterval: Double(stopCheckMilliseconds) / 1000)
                waited += stopCheckMilliseconds
                guard waited >= intervalMilliseconds else { continue }
                waited = 0
                do {
                    try compactIfErased(connection, logger: logger)
                    let walBytes = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
                    try connection.writeWithoutTransaction { db in
                        if walBytes > truncateAboveBytes {
                            try checkpointHoldingWritersBriefly(db, .truncate)
                        } else {
                            try checkpointAndRestart(db)
                        }
                    }
                } catch {
                    logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
                }
            }
            // A last full checkpoint leaves a small WAL behind for the next start.
            try? connection.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
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
/// the WAL: it waits at most `restartWaitMilliseconds`, and a busy WAL is left for the next tick.
private func checkpointHoldingWritersBriefly(_ db: Database, _ mode: Database.CheckpointMode) throws {
    sqlite3_busy_timeout(db.sqliteConnection, restartWaitMilliseconds)
    defer { sqlite3_busy_timeout(db.sqliteConnection, checkpointBusyMilliseconds) }
    do {
        _ = try db.checkpoint(mode)
    } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
        return
    }
}

/// How long a RESTART or TRUNCATE waits for readers (holding writers back meanwhile).
private let restartWaitMilliseconds: Int32 = 2
/// WAL frames (of about 4 KiB) written since the last restart before the next one: 4 MiB.
private let restartAboveFrames = 1_024
/// The checkpointer connection's usual busy timeout.
private let checkpointBusyMilliseconds: Int32 = 1_000

/// Empties the WAL if an erasure asked for it, then marks those requests done. A busy
/// database throws and the next tick tries again; the requests stay until it worked.
private func compactIfErased(_ connection: DatabaseQueue, logger: Logger) throws {
    guard let requested = try connection.read({ db in
        try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM compactionRequest")
    }) else { return }
    try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    try connection.write { db in
        try db.execute(sql: "DELETE FROM compactionRequest WHERE id <= ?", arguments: [requested])
    }
    logger.info("WAL emptied after an erasure")
}
