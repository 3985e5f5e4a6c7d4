import CSQLiteTuning
import GRDB
import GRDBSQLite

/// How many writes a connection's WAL was asked for and how many reached the file, since the
/// connection opened: the WAL buffer (``ServiceDatabase``) joins a commit's frames into a few
/// writes on connections that sync every commit, and writes through on any other.
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
