import GRDB
import OmnibusContracts

/// What an event handler works with: the open write transaction (the same one that records
/// the event as applied) and ``emit(_:customerId:)`` for reactions.
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
    public func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64 {
        let reaction = PendingEvent(event, customerId: customerId, channel: self.event.channel,
                                    correlationId: self.event.correlationId ?? self.event.id, causationId: self.event.id)
        return try Outbox.append([reaction], source: source, in: db)[0]
    }
}

extension EventContext: EventEmitting {}
