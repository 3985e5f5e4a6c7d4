import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Moves SQLite's WAL checkpoints off the commit path.
///
/// By default SQLite checkpoints inside whichever commit makes the WAL pass 1,000 pages, so
/// that commit (a command's, or a subscriber's batch) pays for copying the WAL into the
/// database: the latency spikes and throughput dips the benchmark showed. Services turn
/// auto-checkpointing off (``ServiceDatabase``) and run this instead: a PASSIVE checkpoint
/// from its own connection a few times a second, which never waits for or blocks writers.
///
/// A PASSIVE checkpoint copies pages but cannot rewind the WAL while readers use it (and the
/// relay reads after every commit), so the file can keep growing; past `truncateAboveBytes`
/// a TRUNCATE checkpoint waits briefly for readers and empties it. It does the same at once
/// when an erasure asked for it (``Erasure/requestCompaction(in:)``), because the WAL still
/// holds the erased values in older page images.
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
        configuration.busyMode = .timeout(1)
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
                    let mode: Database.CheckpointMode = walBytes > truncateAboveBytes ? .truncate : .passive
                    try connection.writeWithoutTransaction { db in _ = try db.checkpoint(mode) }
                } catch {
                    logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
                }
            }
            // A last full checkpoint leaves a small WAL behind for the next start.
            try? connection.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
    }
}

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
