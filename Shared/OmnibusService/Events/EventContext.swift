import GRDB
import OmnibusContracts

/// What an event handler works with: the open write transaction (the same one that records
/// the event as applied) and ``emit(_:customerId:)`` for reactions.
public final class EventContext {
    public let db: Database
    let event: EventHeader
    let store: EventStore

    init(db: Database, event: EventHeader, store: EventStore) {
        self.db = db
        self.event = event
        self.store = store
    }

    /// Appends a reaction event to this service's outbox in the applying transaction; it is
    /// caused by the event being applied and shares its correlation id.
    @discardableResult
    public func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64 {
        let reaction = PendingEvent(event, customerId: customerId, channel: self.event.channel,
                                    correlationId: self.event.correlationId ?? self.event.id, causationId: self.event.id)
        return try store.append([reaction], in: db)[0]
    }
}

extension EventContext: EventEmitting {}
