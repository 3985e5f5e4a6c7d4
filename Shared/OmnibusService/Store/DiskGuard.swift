import Foundation
import Logging
import OmnibusClient
import Synchronization

/// Watches the free space of the filesystem that holds a service's database, so that the
/// service refuses state-changing commands while space is below a floor — answering
/// `unavailable` with a clear sentence, still serving queries and replay — instead of
/// failing writes at random once the disk is full, and takes them again when space returns.
///
/// Free space is read with `statvfs` at most every 250 ms; reading it is a system call,
/// cheap beside a commit but not free on every command.
final class DiskGuard: Sendable {
    /// What the filesystem and the database looked like at the last look.
    struct Reading: Sendable, Equatable {
        var freeBytes: Int64
        /// The database file and its WAL.
        var databaseBytes: Int64
        var isLow: Bool
    }

    private let databasePath: String
    private let folder: String
    /// Below this many free bytes, state-changing commands are refused.
    let minimumFreeBytes: Int64
    private let state = Mutex<(reading: Reading, readAt: ContinuousClock.Instant)?>(nil)
    private let metrics: MetricsRecorder?
    private let logger: Logger?

    init(databasePath: String, minimumFreeBytes: Int64, metrics: MetricsRecorder? = nil, logger: Logger? = nil) {
        self.databasePath = databasePath
        folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        self.minimumFreeBytes = minimumFreeBytes
        self.metrics = metrics
        self.logger = logger
    }

    /// The current reading (taken now if the last is older than 250 ms). When the low state
    /// changes, the reading that sees it logs it, once — not once per command: a full disk
    /// must not fill the log too.
    func read() -> Reading {
        let (reading, changed) = look()
        if changed {
            let metadata: Logger.Metadata = ["freeBytes": "\(reading.freeBytes)", "minimumFreeBytes": "\(minimumFreeBytes)"]
            if reading.isLow {
                logger?.error("disk nearly full: refusing state-changing commands", metadata: metadata)
            } else {
                logger?.notice("disk space back: taking state-changing commands again", metadata: metadata)
            }
        }
        return reading
    }

    private func look() -> (reading: Reading, changed: Bool) {
        let now = ContinuousClock.now
        if let last = state.withLock({ $0 }), now - last.readAt < .milliseconds(250) { return (last.reading, false) }
        let free = Self.freeBytes(in: folder)
        let reading = Reading(freeBytes: free, databaseBytes: Self.size(databasePath) + Self.size(databasePath + "-wal"),
                              isLow: free < minimumFreeBytes)
        metrics?.gauge(BusMetric.diskFreeBytes).record(reading.freeBytes)
        metrics?.gauge(BusMetric.databaseBytes).record(reading.databaseBytes)
        let previous = state.withLock { state in
            defer { state = (reading, now) }
            return state?.reading.isLow
        }
        return (reading, previous.map { $0 != reading.isLow } ?? reading.isLow)
    }

    static func freeBytes(in folder: String) -> Int64 {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return .max }  // unknown: never refuse on a failed look
        // Some network filesystems report absurd figures; saturate rather than trap.
        let (bytes, overflow) = Int64(clamping: stats.f_bavail).multipliedReportingOverflow(by: Int64(clamping: stats.f_frsize))
        return overflow ? .max : bytes
    }

    /// A file's size; 0 when it cannot be read.
    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
