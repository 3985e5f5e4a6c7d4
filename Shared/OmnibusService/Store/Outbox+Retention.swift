import Foundation
import GRDB
import OmnibusContracts

extension Outbox {
    /// The log's size as the trimmer keeps count of it: envelope bytes of the events through
    /// `countedThrough`, minus those removed.
    package struct Size: Equatable, Sendable {
        package var bytes: Int64
        package var countedThrough: Int64

        mutating func add(_ appended: (bytes: Int64, through: Int64)?) {
            guard let appended else { return }
            bytes += appended.bytes
            countedThrough = appended.through
        }
    }

    /// The oldest sequence still in the log; nil when it is empty.
    package static func oldest(in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM outbox")
    }

    /// The envelope bytes in the log: the saved count plus the events appended since it was
    /// taken, a range read of only those, so it costs what was appended, never the whole log.
    package static func size(in db: Database) throws -> Size {
        var size = try savedSize(in: db)
        size.add(try appended(after: size.countedThrough, atMost: nil, in: db))
        return size
    }

    /// The count as the trimmer last saved it (at most one trim interval old): cheap, for
    /// health reports, which run inside the command transaction.
    package static func savedSize(in db: Database) throws -> Size {
        let row = try Row.fetchOne(db, sql: "SELECT bytes, countedThrough FROM eventLogSize WHERE id = 1")
        return Size(bytes: row?["bytes"] ?? 0, countedThrough: row?["countedThrough"] ?? 0)
    }

    /// Adds to the saved count at most `rows` of the events appended since, and returns
    /// whether the count has caught up: a log counted for the first time (a database from
    /// before retention) is counted in short transactions, not one that holds commands up.
    package static func count(atMost rows: Int, in db: Database) throws -> Bool {
        var size = try savedSize(in: db)
        guard let added = try appended(after: size.countedThrough, atMost: rows, in: db) else { return true }
        size.add(added)
        try save(size, in: db)
        return added.through >= (try head(in: db))
    }

    /// The envelope bytes and last sequence of the events after `sequence` (the first `rows`
    /// of them when given); nil when there are none.
    private static func appended(after sequence: Int64, atMost rows: Int?, in db: Database) throws -> (bytes: Int64, through: Int64)? {
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(length(envelope)), 0) AS bytes, MAX(sequence) AS through
            FROM (SELECT envelope, sequence FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?)
            """, arguments: [sequence, rows ?? -1])
        guard let row, let through: Int64 = row["through"] else { return nil }
        return (row["bytes"], through)
    }

    private static func save(_ size: Size, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO eventLogSize (id, bytes, countedThrough) VALUES (1, ?, ?)",
                       arguments: [size.bytes, size.countedThrough])
    }

    /// Removes, oldest first, at most `chunk` events that `retention` no longer keeps, and
    /// returns how many went. Never the newest event (the head stays known) nor one the relay
    /// has not published yet. One range delete on the primary key: no table-wide work.
    package static func trim(_ retention: EventRetention, now: Timestamp, chunk: Int, in db: Database) throws -> Int {
        var size = try size(in: db)
        let head = try head(in: db)
        let published = try Int64.fetchOne(db, sql: "SELECT publishedThrough FROM relayCursor WHERE id = 1") ?? 0
        let removable = min(head - 1, published)
        let ageCutoff = retention.maxAge.map { now.millisecondsSince1970 - $0.wholeMilliseconds }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT sequence, recordedAt, length(envelope) AS bytes FROM outbox WHERE sequence <= ? ORDER BY sequence LIMIT ?
            """, arguments: [removable, chunk])
        var through: Int64?
        var removedBytes: Int64 = 0
        var removed = 0
        while let row = try rows.next() {
            let tooOld = ageCutoff.map { (row["recordedAt"] as Int64) < $0 } ?? false
            let overSize = retention.maxBytes.map { size.bytes - removedBytes > $0 } ?? false
            guard tooOld || overSize else { break }
            through = row["sequence"]
            removedBytes += row["bytes"] as Int64
            removed += 1
        }
        guard let through else {
            try save(size, in: db)
            return 0
        }
        try db.execute(sql: "DELETE FROM outbox WHERE sequence <= ?", arguments: [through])
        size.bytes -= removedBytes
        try save(size, in: db)
        return removed
    }
}
