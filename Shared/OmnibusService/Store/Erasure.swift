import Foundation
import GRDB
import OmnibusContracts

/// What every service needs to honour the right to be forgotten, beyond deleting its own rows.
///
/// Deleting a row is not enough for the bytes to leave the files: SQLite keeps old page
/// images in the WAL and deleted cells in free space. So every database runs with
/// `secure_delete=ON` (freed space is zeroed), an erasing transaction calls
/// ``requestCompaction(in:)``, and the ``WALCheckpointer`` then checkpoints and truncates the
/// WAL, after which no file holds the erased values. ``HealthReport/pendingCompactions``
/// says when that is done.
public enum Erasure {
    /// Asks for the WAL to be emptied once this transaction has committed.
    public static func requestCompaction(in db: Database) throws {
        try db.execute(sql: "INSERT INTO compactionRequest (requestedAt) VALUES (?)",
                       arguments: [Timestamp.now().millisecondsSince1970])
    }

    /// Deletes the dead letters that name any of `customerIds` anywhere in their envelope (a
    /// parked event keeps its whole envelope, personal data included, and may not even decode).
    /// Returns how many. Called by ``KnownCustomers/recordErasure(_:in:)``.
    @discardableResult
    public static func forgetDeadLetters(of customerIds: [String], in db: Database) throws -> Int {
        guard !customerIds.isEmpty else { return 0 }
        let needles = customerIds.map { Data($0.utf8) }
        var forgotten = 0
        for row in try Row.fetchAll(db, sql: "SELECT id, envelope FROM deadLetter") {
            let envelope: Data = row["envelope"]
            guard needles.contains(where: { envelope.range(of: $0) != nil }) else { continue }
            try db.execute(sql: "DELETE FROM deadLetter WHERE id = ?", arguments: [row["id"] as Int64])
            forgotten += 1
        }
        return forgotten
    }

    /// Deletes the replies kept for retries (see `CommandServer.Options.replyRetention`) that
    /// name any of `customerIds` as a JSON string, or are kept as a key that is one (a
    /// `RetryReply`'s): a stored reply may quote what the customer
    /// wrote or where they live. A retry of such a request is then answered afresh (`not_found`
    /// for an erased customer). Returns how many. Called by ``KnownCustomers/recordErasure(_:in:)``.
    @discardableResult
    public static func forgetStoredReplies(of customerIds: [String], in db: Database) throws -> Int {
        var forgotten = 0
        for id in customerIds {
            let quoted = try ContractCoding.encode(id)
            try db.execute(sql: "DELETE FROM commandReply WHERE instr(reply, ?) > 0 OR rereadKey = ?", arguments: [quoted, id])
            forgotten += db.changesCount
        }
        return forgotten
    }

    /// Compactions asked for and not yet done.
    public static func pendingCompactions(in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM compactionRequest") ?? 0
    }

    /// Rewrites the logged events of `customerIds` whose `data` `redact` changes, so replay
    /// serves only the redacted form. `redact` gets each event's type and data and returns
    /// the data to keep, or nil to leave the event as it is. Returns how many were rewritten.
    @discardableResult
    public static func redactEvents(
        of customerIds: [String], in db: Database, redact: (_ type: String, _ data: JSONValue) -> JSONValue?
    ) throws -> Int {
        guard !customerIds.isEmpty else { return 0 }
        let rows = try SQLRequest<Row>("SELECT sequence, envelope FROM outbox WHERE customerId IN \(customerIds)").fetchAll(db)
        var rewritten = 0
        for row in rows {
            let bytes: Data = row["envelope"]
            var envelope = try ContractCoding.decode(EventEnvelope<JSONValue>.self, from: bytes)
            guard let data = redact(envelope.type, envelope.data), data != envelope.data else { continue }
            envelope.data = data
            try db.execute(sql: "UPDATE outbox SET envelope = ? WHERE sequence = ?",
                           arguments: [try ContractCoding.encode(envelope), row["sequence"] as Int64])
            rewritten += 1
        }
        return rewritten
    }
}
