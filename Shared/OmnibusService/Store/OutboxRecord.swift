import Foundation
import GRDB

/// One row of the outbox: an event exactly as it is published and replayed.
struct OutboxRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "outbox"

    var sequence: Int64
    var eventId: String
    var type: String
    var customerId: String?
    /// The envelope's JSON bytes; what subscribers receive, byte for byte.
    var envelope: Data
    var recordedAt: Int64
}
