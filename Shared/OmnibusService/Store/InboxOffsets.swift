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

    /// Records that `source` is applied through `sequence`.
    package static func save(source: String, appliedThrough sequence: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO inboxOffset (source, appliedThrough, updatedAt) VALUES (?, ?, ?)
                ON CONFLICT(source) DO UPDATE SET appliedThrough = excluded.appliedThrough, updatedAt = excluded.updatedAt
                """,
            arguments: [source, sequence, Timestamp.now().millisecondsSince1970])
    }
}
