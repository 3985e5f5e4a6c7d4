import CSQLiteTuning
import GRDB
import GRDBSQLite

/// The WAL buffer (`Shared/CSQLiteTuning/wal_buffer.c`, registered by ``ServiceDatabase``) as
/// a connection sees it: off unless the connection asks, after making every commit sync.
package enum WALBuffer {
    /// Turns the buffer on for `db` if its commits sync (synchronous FULL or EXTRA, read back
    /// here) on a device with power-safe overwrite; false where it stays off. Any later
    /// `PRAGMA synchronous` turns it off again.
    @discardableResult
    package static func enable(on db: Database) throws -> Bool {
        guard let level = try Int.fetchOne(db, sql: "PRAGMA synchronous"), level >= 2 else { return false }
        var on: Int32 = 1
        return sqlite3_file_control(db.sqliteConnection, "main", OMNIBUS_FCNTL_WAL_BUFFER, &on) == SQLITE_OK
    }
}

/// How many writes a connection's WAL was asked for and how many reached the file, since the
/// connection opened: with the buffer on, a commit's frames go out in a few writes; off, each
/// goes through.
package struct WALWrites: Equatable, Sendable {
    /// Writes SQLite asked of the WAL file (two per frame: its header, then its page).
    package let requested: Int
    /// Writes that reached the file system.
    package let issued: Int

    /// The counts of the connection `db`; zero on a connection opened before the buffer was
    /// registered (no ``ServiceDatabase`` yet in this process).
    package init(of db: Database) {
        var counts = omnibus_wal_write_counts()
        let status = sqlite3_file_control(db.sqliteConnection, "main", OMNIBUS_FCNTL_WAL_WRITES, &counts)
        requested = status == SQLITE_OK ? Int(counts.requested) : 0
        issued = status == SQLITE_OK ? Int(counts.issued) : 0
    }
}
