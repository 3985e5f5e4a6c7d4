import CSQLiteTuning
import Foundation
import GRDB
import OmnibusContracts

/// A service's SQLite database: one file, opened as a GRDB `DatabasePool` in WAL mode.
///
/// Durability: `journal_mode=WAL` with `synchronous=FULL`. A committed transaction survives
/// a process crash and a power loss, because every commit syncs the WAL. FULL rather than
/// NORMAL because the outbox is the event log other services trust: an event published as
/// sequence N and then lost in a power failure would let a different event reuse N.
/// (Tested: the writer connection reports FULL; GRDB's own default for pools is NORMAL.)
package final class ServiceDatabase: Sendable {
    /// Process-wide SQLite settings, applied once before the first connection opens.
    /// Registering the WAL buffer can fail only if SQLite has no default VFS, which would
    /// fail the open anyway; without it commits still work, one write per frame. Only the
    /// writer turns it on (``WALBuffer``).
    private static let sqliteTuned: Void = {
        _ = omnibus_sqlite_disable_memory_statistics()
        _ = omnibus_wal_buffer_register()
    }()

    /// The GRDB pool; readers never block the writer.
    package let pool: DatabasePool
    /// The file path, or nil for a temporary database.
    package let path: String
    /// Whether freed pages can be given back a chunk at a time (``LogTrimmer``); false when an
    /// older database could not be converted for lack of disk space (it then reuses its free
    /// pages, so the file stops growing but does not shrink).
    package let incrementalVacuum: Bool
    /// The writer connection's page cache, in KiB (SQLite allocates it as pages are used).
    static let writerCacheKibibytes = 32 << 10

    /// Opens (creating if needed) the database at `path` and runs the runtime's migrations,
    /// then `migrations` (the service's own, registered after the runtime's). `pageSize` (a
    /// power of two, 512...65536; SQLite's default 4096) applies to a file this creates; an
    /// existing one keeps its own (see ``ServiceRuntime/init``).
    package init(path: String, pageSize: Int = 4096, migrations: (inout DatabaseMigrator) -> Void = { _ in }) throws {
        precondition((512...65536).contains(pageSize) && pageSize.nonzeroBitCount == 1, "SQLite page sizes are powers of two")
        _ = Self.sqliteTuned
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Before GRDB switches to WAL, which writes the header: the size is then fixed.
            try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            // Checkpoints run in the background (WALCheckpointer), not inside commits.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // Deleted content is overwritten with zeros, so erased personal data leaves the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        pool = try DatabasePool(path: path, configuration: configuration)
        // Set after opening: GRDB's pool sets NORMAL on its writer once it has switched to
        // WAL, after any prepareDatabase. Only the writer's setting matters for commits.
        let folder = directory
        incrementalVacuum = try pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Every commit now syncs before it is published: its WAL writes may be joined.
            try WALBuffer.enable(on: db)
            // The one writer applies every command: its cache holds the pages they touch (carts,
            // indexes, the log's tail). SQLite's 2 MiB made it read back thousands of pages a
            // second from the file under a steady cart load; readers keep the default.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKibibytes)")
            return try Self.enableIncrementalVacuum(db, path: path, folder: folder)
        }
        self.path = path
        var migrator = DatabaseMigrator()
        RuntimeMigrations.register(in: &migrator)
        migrations(&migrator)
        try migrator.migrate(pool)
    }

    /// Makes pages freed by deletes (retention, erasure, pruned replies) returnable to the
    /// filesystem a chunk at a time (``LogTrimmer``) instead of only by a whole-file VACUUM.
    /// In WAL mode SQLite takes the mode only through a VACUUM: instant on a new database, a
    /// one-time rewrite for an older one at its first start with this version — skipped
    /// (and tried at the next start) while the disk has less than twice the file free, the
    /// rewrite's copy and WAL, so that a nearly full disk never keeps a service from starting.
    private static func enableIncrementalVacuum(_ db: Database, path: String, folder: String) throws -> Bool {
        let incremental = 2
        guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != incremental else { return true }
        guard DiskGuard.freeBytes(in: folder) / 2 > DiskGuard.size(path) else { return false }
        try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
        try db.execute(sql: "VACUUM")
        return true
    }
}
