/// The one envelope every Omnibus event travels in, on the bus, in replay and in storage.
///
/// The producing service assigns `id`, `source`, `sequence` and `occurredAt` when it writes
/// the event to its outbox; `sequence` counts that source's events from 1 with no holes.
/// See docs/PROTOCOL.md for the JSON form and the evolution rules.
public struct EventEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    /// Unique id of this event (a lowercase UUID).
    public var id: String
    /// The service that produced the event, e.g. `identity`.
    public var source: String
    /// Position in the source's event log: 1, 2, 3, … with no holes.
    public var sequence: Int64
    /// The event type, e.g. `customer.merged`; the topic is `source.type`.
    public var type: String
    /// Major schema version of `data` for this type. Additive changes keep the version.
    public var schemaVersion: Int
    /// When the producing service committed the event.
    public var occurredAt: Timestamp
    /// The customer the event is about, when it is about one.
    public var customerId: String?
    /// The channel the change came from (`app`, `web`, `store`, …), when one did.
    public var channel: String?
    /// Ties together every message caused by one original request.
    public var correlationId: String?
    /// The id of the command or event that directly caused this one.
    public var causationId: String?
    /// The type-specific body.
    public var data: Payload

    public init(
        id: String, source: String, sequence: Int64, type: String, schemaVersion: Int,
        occurredAt: Timestamp, customerId: String? = nil, channel: String? = nil,
        correlationId: String? = nil, causationId: String? = nil, data: Payload
    ) {
        self.id = id
        self.source = source
        self.sequence = sequence
        self.type = type
        self.schemaVersion = schemaVersion
        self.occurredAt = occurredAt
        self.customerId = customerId
        self.channel = channel
        self.correlationId = correlationId
        self.causationId = causationId
        self.data = data
    }

    /// The topic this event is published on: `source.type`.
    public var topic: String { Topic.event(source: source, type: type) }
}

extension EventEnvelope: Equatable where Payload: Equatable {}

/// A payload that reads nothing: decoding `EventEnvelope<SkippedPayload>` checks the
/// envelope's fields without building the (possibly large) body.
public struct SkippedPayload: Codable, Sendable, Equatable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

/// An envelope whose body was not decoded: what routing, de-duplication and ops tools need.
public typealias EventHeader = EventEnvelope<SkippedPayload>
