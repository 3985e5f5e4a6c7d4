import Foundation
import GRDB
import OmnibusContracts

/// The service's event log: events are appended inside the transaction that makes the
/// state change they describe, each with the next sequence number of the source.
package enum Outbox {
    /// The largest envelope an event may have; a larger one is refused when appended, so
    /// nothing ever sits in the log that a subscriber could not receive.
    public static let maxEnvelopeBytes = EnvelopeWriter.maxEnvelopeBytes

    /// Appends `events` in order and returns their envelopes' sequence numbers.
    ///
    /// Must run inside a write transaction (the sequence is read and advanced in it).
    @discardableResult
    package static func append(_ events: [PendingEvent], source: String, in db: Database) throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        var sequence = try head(in: db)
        let now = Timestamp.now()
        let insert = try db.raw("INSERT INTO outbox (sequence, eventId, type, customerId, envelope, recordedAt) VALUES (?, ?, ?, ?, ?, ?)")
        var sequences: [Int64] = []
        sequences.reserveCapacity(events.count)
        var checkedType: String?  // the events of one append mostly share a type
        for event in events {
            if event.type != checkedType {
                guard Topic.isValidEventType(event.type) else {
                    throw OmnibusError(.invalidArgument, "'\(event.type)' is not a valid event type")
                }
                checkedType = event.type
            }
            sequence += 1
            let id = EnvelopeWriter.newEventId()
            let bytes = try EnvelopeWriter.write(
                id: id, source: source, sequence: sequence, type: event.type, schemaVersion: event.schemaVersion,
                occurredAt: now, customerId: event.customerId, channel: event.channel,
                correlationId: event.correlationId, causationId: event.causationId,
                payload: event.payload.value)
            guard bytes.count <= maxEnvelopeBytes else {
                throw OmnibusError(.tooLarge, "event \(event.type) is \(bytes.count) bytes; the limit is \(maxEnvelopeBytes)")
            }
            try insert.bind(1, sequence)
            try insert.bind(2, id)
            try insert.bind(3, event.type)
            try insert.bind(4, event.customerId)
            try insert.bind(5, bytes)
            try insert.bind(6, now.millisecondsSince1970)
            try insert.execute()
            sequences.append(sequence)
        }
        return sequences
    }

    /// The latest sequence in the log (0 when empty).
    package static func head(in db: Database) throws -> Int64 {
        try db.raw("SELECT MAX(sequence) FROM outbox").one { $0.int64(0) } ?? 0
    }

    /// Up to `limit` envelopes after `sequence`, oldest first, stopping before `maxBytes`
    /// would be exceeded (at least one is returned when there is one).
    package static func envelopes(after sequence: Int64, limit: Int, maxBytes: Int = 8 << 20, in db: Database) throws -> [Data] {
        let cursor = try Data.fetchCursor(
            db, sql: "SELECT envelope FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
            arguments: [sequence, limit])
        var result: [Data] = []
        var bytes = 0
        while let envelope = try cursor.next() {
            if !result.isEmpty && bytes + envelope.count > maxBytes { break }
            bytes += envelope.count
            result.append(envelope)
        }
        return result
    }
}
