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
        /// Set instead of `reply` for a command registered with a `RetryReply`: what to read the reply again under.
        var rereadKey: String?
    }

    /// Asked for every command: through ``RawStatement``, as are ``save`` and the owner lookup.
    static func find(requestId: String, in db: Database) throws -> Stored? {
        let statement = try db.raw("SELECT command, reply, principal, rereadKey FROM commandReply WHERE requestId = ?")
        try statement.bind(1, requestId)
        return try statement.one {
            Stored(command: $0.text(0), reply: $0.data(1), principal: $0.optionalText(2), rereadKey: $0.optionalText(3))
        }
    }

    /// What a stored reply's row costs, roughly: its text and blob columns plus a little for
    /// the integers and the row. Counted whole, not just `reply`, so that replies kept as a
    /// key (`RetryReply`) count toward the size bound too.
    static let rowBytes = "length(requestId) + length(command) + length(reply) + COALESCE(length(principal), 0) + COALESCE(length(rereadKey), 0) + 16"

    /// The stored replies' bytes, counted a range at a time: ``count(in:)`` adds the replies
    /// stored since it last looked (rowids above the last counted), so a pass costs what
    /// was stored since, never the whole table; what pruning removes it subtracts. Held by
    /// the pruner in memory: a restart counts the table once. (Erasure's deletions are not
    /// subtracted, so the count errs high — pruning a little early — until the next restart.)
    struct Size: Sendable {
        var bytes: Int64 = 0
        var countedThroughRowid: Int64 = 0

        mutating func count(in db: Database) throws {
            // Rowids are max+1: once the newest rows were deleted, new ones may reuse numbers
            // already counted; then count the table again.
            if try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM commandReply") ?? 0 < countedThroughRowid {
                self = Size()
            }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(\(CommandReplyStore.rowBytes)), 0) AS bytes, MAX(rowid) AS through FROM commandReply WHERE rowid > ?
                """, arguments: [countedThroughRowid]), let through: Int64 = row["through"] else { return }
            bytes += row["bytes"] as Int64
            countedThroughRowid = through
        }
    }

    /// Forgets replies recorded before `cutoff` (a retry of one counts as a new request), then the oldest ones until the rest fit in
    /// `maxBytes`; returns how many went. Walks the `recordedAt` index from the oldest, so it
    /// reads only what it removes.
    static func prune(recordedBefore cutoff: Int64, maxBytes: Int64, size: inout Size, in db: Database) throws -> Int {
        // A deferred request never answered (its saga was abandoned) stops holding its id with its retention.
        try db.execute(sql: "DELETE FROM pendingRequestOwner WHERE recordedAt < ?", arguments: [cutoff])
        try size.count(in: db)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT recordedAt, \(rowBytes) AS bytes FROM commandReply INDEXED BY commandReply_on_recordedAt ORDER BY recordedAt
            """)
        var through: Int64?
        var removedBytes: Int64 = 0
        while let row = try rows.next() {
            let recordedAt: Int64 = row["recordedAt"]
            // Whole milliseconds go together: the delete below takes every reply of its last one.
            let sameMillisecond = recordedAt == through
            guard recordedAt < cutoff || size.bytes - removedBytes > maxBytes || sameMillisecond else { break }
            through = recordedAt
            removedBytes += row["bytes"] as Int64
        }
        guard let through else { return 0 }
        try db.execute(sql: "DELETE FROM commandReply WHERE recordedAt <= ?", arguments: [through])
        size.bytes -= removedBytes
        return db.changesCount
    }

    /// The principals of requests whose replies are deferred: a deferred reply is stored by
    /// the service's own process, which does not know who asked, so the command server
    /// records it here when it answers `pending`, and ``save(requestId:command:reply:principal:in:)``
    /// takes it over.
    enum Owners {
        static func record(requestId: String, principal: String, in db: Database) throws {
            try db.execute(sql: "INSERT OR IGNORE INTO pendingRequestOwner (requestId, principal, recordedAt) VALUES (?, ?, ?)",
                           arguments: [requestId, principal, Timestamp.now().millisecondsSince1970])
        }

        static func owner(of requestId: String, in db: Database) throws -> String? {
            let statement = try db.raw("SELECT principal FROM pendingRequestOwner WHERE requestId = ?")
            try statement.bind(1, requestId)
            return try statement.one { $0.text(0) }
        }
    }

    static func save(requestId: String, command: String, reply: Data, rereadKey: String? = nil, principal: String? = nil,
                     in db: Database) throws {
        // A deferred reply is stored for the principal who sent its request.
        let owner = try principal ?? Owners.owner(of: requestId, in: db)
        if principal == nil, owner != nil {
            try db.execute(sql: "DELETE FROM pendingRequestOwner WHERE requestId = ?", arguments: [requestId])
        }
        let insert = try db.raw("INSERT INTO commandReply (requestId, command, reply, recordedAt, principal, rereadKey) VALUES (?, ?, ?, ?, ?, ?)")
        try insert.bind(1, requestId)
        try insert.bind(2, command)
        try insert.bind(3, reply)
        try insert.bind(4, Timestamp.now().millisecondsSince1970)
        try insert.bind(5, owner)
        try insert.bind(6, rereadKey)
        try insert.execute()
    }
}
