import OmnibusContracts

/// An event a service is about to write to its outbox; the outbox adds its id, source,
/// sequence and time.
package struct PendingEvent: Sendable {
    package var type: String
    package var schemaVersion: Int
    package var customerId: String?
    package var channel: String?
    package var correlationId: String?
    package var causationId: String?
    let payload: ErasedPayload

    package init<Payload: Encodable & Sendable>(
        type: String, schemaVersion: Int = 1, customerId: String? = nil, channel: String? = nil,
        correlationId: String? = nil, causationId: String? = nil, data: Payload
    ) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.customerId = customerId
        self.channel = channel
        self.correlationId = correlationId
        self.causationId = causationId
        self.payload = ErasedPayload(data)
    }

    /// An event of a contract type: its type and schema version are the contract's.
    package init<Event: EventContract>(
        _ event: Event, customerId: String? = nil, channel: String? = nil, correlationId: String? = nil,
        causationId: String? = nil
    ) {
        self.init(type: Event.type, schemaVersion: Event.schemaVersion, customerId: customerId, channel: channel,
                  correlationId: correlationId, causationId: causationId, data: event)
    }
}

/// A payload whose type was erased; the outbox encodes it (opening the existential).
struct ErasedPayload: Sendable {
    let value: any Encodable & Sendable

    init(_ value: any Encodable & Sendable) { self.value = value }
}
