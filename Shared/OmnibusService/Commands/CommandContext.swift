import GRDB
import OmnibusContracts

/// What a command handler works with: the request's fields, the open write transaction,
/// and ``emit(_:customerId:)`` to append events to the outbox in that
/// same transaction (they commit with the state change, or not at all).
public final class CommandContext {
    public let requestId: String
    public let command: String
    public let version: Int
    public let channel: String?
    public let correlationId: String?
    /// The write transaction the command runs in.
    public let db: Database
    let store: EventStore

    init(header: CommandHeader, db: Database, store: EventStore) {
        requestId = header.id
        command = header.command
        version = header.version
        channel = header.channel
        correlationId = header.correlationId
        self.db = db
        self.store = store
    }

    /// Appends an event caused by this command: its causation id is the request id, its
    /// correlation id the request's (or the request id), its channel the request's.
    @discardableResult
    public func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64 {
        let pending = PendingEvent(event, customerId: customerId, channel: channel,
                                   correlationId: correlationId ?? requestId, causationId: requestId)
        return try store.append([pending], in: db)[0]
    }
}

extension CommandContext: EventEmitting {}
