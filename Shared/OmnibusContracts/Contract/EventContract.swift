/// An event as a type: the source that emits it, its wire type and its schema version.
///
/// A value of the type is the event's `data`, whose JSON docs/PROTOCOL.md and the service
/// docs describe. Emit one with `context.emit(IdentityEvent.CustomersMerged(…), customerId:)`
/// and handle it with `events.on(IdentityEvent.CustomersMerged.self) { event, context in … }`.
public protocol EventContract: Codable, Sendable {
    /// The service that emits it, e.g. `identity`.
    static var source: String { get }
    /// The type on the wire, e.g. `customer.merged`; the topic is `source.type`.
    static var type: String { get }
    /// The major schema version this type writes; additive changes keep it.
    static var schemaVersion: Int { get }
}

extension EventContract {
    public static var schemaVersion: Int { 1 }
    /// The topic the event is published on: `source.type`.
    public static var topic: String { Topic.event(source: source, type: type) }
}

/// An event whose `data` is another contract value as it is — a product, a cart, an order's
/// new status — under a type of its own. Several events may carry the same body (every cart
/// event carries the whole cart); each is still its own type, and its JSON is the body's.
public protocol WrappingEvent<Body>: EventContract {
    associatedtype Body: Codable & Sendable
    var body: Body { get }
    init(_ body: Body)
}

extension WrappingEvent {
    public init(from decoder: any Decoder) throws {
        self.init(try Body(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
    }
}
