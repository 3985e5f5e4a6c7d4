import GRDB
import OmnibusService

/// Where domain code appends events: a command's context, an event handler's context, or
/// the start-up recovery of checkouts. All of them write into the open transaction.
protocol EventEmitter {
    var db: Database { get }
    @discardableResult
    func emit<Payload: Encodable & Sendable>(_ type: String, schemaVersion: Int, customerId: String?, data: Payload) throws -> Int64
}

extension EventEmitter {
    @discardableResult
    func emit<Payload: Encodable & Sendable>(_ type: String, customerId: String? = nil, data: Payload) throws -> Int64 {
        try emit(type, schemaVersion: 1, customerId: customerId, data: data)
    }
}

extension CommandContext: EventEmitter {}
extension EventContext: EventEmitter {}

/// Emits into the outbox of `source` with no command or event behind it (start-up work).
struct TransactionEmitter: EventEmitter {
    let db: Database
    let source: String
    let correlationId: String?

    func emit<Payload: Encodable & Sendable>(_ type: String, schemaVersion: Int, customerId: String?, data: Payload) throws -> Int64 {
        let event = PendingEvent(type: type, schemaVersion: schemaVersion, customerId: customerId,
                                 correlationId: correlationId, data: data)
        return try Outbox.append([event], source: source, in: db)[0]
    }
}
