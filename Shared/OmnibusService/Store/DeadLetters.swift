import Foundation
import GRDB
import OmnibusContracts

/// An event this service could not apply, parked with the reason so that nothing is
/// skipped silently and ops can look at it (and replay it once fixed).
package struct DeadLetter: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "deadLetter"

    package var id: Int64?
    package var source: String
    package var sequence: Int64?
    package var eventId: String?
    package var type: String?
    package var reason: String
    package var envelope: Data
    package var recordedAt: Int64

    /// Parks an event; `envelope` is kept as received.
    package static func record(header: EventHeader, envelope: Data, reason: String, in db: Database) throws {
        try DeadLetter(
            id: nil, source: header.source, sequence: header.sequence, eventId: header.id, type: header.type,
            reason: reason, envelope: envelope, recordedAt: Timestamp.now().millisecondsSince1970
        ).insert(db)
    }

    /// How many events are parked.
    package static func count(in db: Database) throws -> Int {
        try DeadLetter.fetchCount(db)
    }
}
