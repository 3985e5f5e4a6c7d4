import Foundation
import GRDB
import OmnibusContracts

/// The first reply given to each request id, so that a retried command is answered the same
/// and applied once.
enum CommandReplyStore {
    struct Stored {
        var command: String
        var reply: Data
        /// The authenticated sender of the request; nil without authentication, and for
        /// replies a service's own process recorded (deferred replies).
        var principal: String?
    }

    static func find(requestId: String, in db: Database) throws -> Stored? {
        try Row.fetchOne(db, sql: "SELECT command, reply, principal FROM commandReply WHERE requestId = ?", arguments: [requestId])
            .map { Stored(command: $0["command"], reply: $0["reply"], principal: $0["principal"]) }
    }

    /// Forgets replies recorded before `cutoff` (milliseconds since 1970); a retry older
    /// than the retention is then treated as a new request. Returns how many were removed.
    @discardableResult
    static func prune(recordedBefore cutoff: Int64, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM commandReply WHERE recordedAt < ?", arguments: [cutoff])
        return db.changesCount
    }

    static func save(requestId: String, command: String, reply: Data, principal: String? = nil, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO commandReply (requestId, command, reply, recordedAt, principal) VALUES (?, ?, ?, ?, ?)",
            arguments: [requestId, command, reply, Timestamp.now().millisecondsSince1970, principal])
    }
}
