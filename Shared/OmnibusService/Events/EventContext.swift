import GRDB
import OmnibusContracts

/// What an event handler works with: the open write transaction (the same one that records
/// the event as applied) and ``emit(_:schemaVersion:customerId:data:)`` for reactions.
public final class EventContext {
    public let db: Database
    let event: EventHeader
    let source: String

    init(db: Database, event: EventHeader, source: String) {
        self.db = db
        self.event = event
        self.source = source
    }

    /// Appends a reaction event to this service's outbox in the applying transaction; it is
    /// caused by the event being applied and shares its correlation id.
    @discardableResult
    public func emit<Payload: Encodable & Sendable>(
        _ type: String, schemaVersion: Int = 1, customerId: String? = nil, data: Payload
    ) throws -> Int64 {
        let reaction = PendingEvent(
            type: type, schemaVersion: schemaVersion, customerId: customerId, channel: event.channel,
            correlationId: event.correlationId ?? event.id, causationId: event.id, data: data)
        return try Outbox.append([reaction], source: source, in: db)[0]
    }
}
