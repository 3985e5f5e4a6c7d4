import Foundation
import GRDB
import OmnibusContracts

/// An event this service could not apply, parked with the reason so that nothing is
/// skipped silently and ops can look at it (and replay it once fixed).
public struct DeadLetter: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "deadLetter"

    public var id: Int64?
    public var source: String
    public var sequence: Int64?
    public var eventId: String?
    public var type: String?
    public var reason: String
    public var envelope: Data
    public var recordedAt: Int64

    /// Parks an event; `envelope` is kept as received.
    public static func record(header: EventHeader, envelope: Data, reason: String, in db: Database) throws {
        try DeadLetter(
            id: nil, source: header.source, sequence: header.sequence, eventId: header.id, type: header.type,
            reason: reason, envelope: envelope, recordedAt: Timestamp.now().millisecondsSince1970
        ).insert(db)
    }

    /// How many events are parked.
    public static func count(in db: Database) throws -> Int {
        try DeadLetter.fetchCount(db)
    }
}
