import GRDB
import OmnibusContracts

/// Where domain code appends events: to the service's outbox, in the open write
/// transaction, so they commit with the state change or not at all. A command's context, an
/// event handler's context and ``EventStore/write(correlationId:_:)``'s emitter are each one.
public protocol EventEmitting {
    /// The write transaction the events join.
    var db: Database { get }
    /// Appends `event` about `customerId` (nil when it is about no customer) and returns its
    /// sequence in the service's log.
    @discardableResult
    func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64
}

extension EventEmitting {
    /// Appends an event that is about no customer (catalog, stock, …).
    @discardableResult
    public func emit<Event: EventContract>(_ event: Event) throws -> Int64 {
        try emit(event, customerId: nil)
    }
}

/// Emits events with no command or event behind them: start-up work such as seeding or
/// recovering interrupted processes. Made by ``EventStore/write(correlationId:_:)``.
public struct TransactionEmitter: EventEmitting {
    public let db: Database
    let store: EventStore
    let correlationId: String?

    @discardableResult
    public func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64 {
        try store.append([PendingEvent(event, customerId: customerId, correlationId: correlationId)], in: db)[0]
    }
}

extension EventStore {
    /// Runs `body` in one write transaction with an emitter whose events carry
    /// `correlationId`.
    public func write<T>(correlationId: String?, _ body: (TransactionEmitter) throws -> T) throws -> T {
        try write { db in try body(emitter(in: db, correlationId: correlationId)) }
    }

    /// An emitter into `db`, a write transaction opened by ``write(_:)``, whose events carry
    /// `correlationId`: for start-up work that correlates each of its events differently.
    public func emitter(in db: Database, correlationId: String?) -> TransactionEmitter {
        TransactionEmitter(db: db, store: self, correlationId: correlationId)
    }
}
