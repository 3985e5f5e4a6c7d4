import GRDB
import OmnibusContracts

/// How far this service has applied each source's events; written in the same transaction
/// as the state changes those events caused.
package enum InboxOffsets {
    /// The applied sequence of every source this service has consumed.
    package static func all(in db: Database) throws -> [String: Int64] {
        let rows = try Row.fetchAll(db, sql: "SELECT source, appliedThrough FROM inboxOffset")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["source"], $0["appliedThrough"]) })
    }

    /// The log epoch of every source whose epoch this service has seen.
    package static func epochs(in db: Database) throws -> [String: String] {
        let rows = try Row.fetchAll(db, sql: "SELECT source, epoch FROM inboxOffset WHERE epoch IS NOT NULL")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["source"], $0["epoch"]) })
    }

    /// Records that `source` is applied through `sequence`, in the source's log epoch `epoch`
    /// (kept as it was when nil).
    package static func save(source: String, appliedThrough sequence: Int64, epoch: String? = nil, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO inboxOffset (source, appliedThrough, updatedAt, epoch) VALUES (?, ?, ?, ?)
                ON CONFLICT(source) DO UPDATE SET appliedThrough = excluded.appliedThrough, updatedAt = excluded.updatedAt,
                    epoch = COALESCE(excluded.epoch, epoch)
                """,
            arguments: [source, sequence, Timestamp.now().millisecondsSince1970, epoch])
    }
}
