import OmnibusClient
import OmnibusContracts

/// The events a service consumes: for each source and type, the schema versions it
/// understands and a typed handler; or an explicit statement that a type is not its
/// concern. Anything else it meets — an unknown type, a newer major version, a handler
/// error — is parked as a dead letter, never skipped silently.
public struct EventHandlerRegistry: Sendable {
    typealias Handler = @Sendable (ReceivedEvent, EventContext) throws -> Void

    struct Entry: Sendable {
        var versions: ClosedRange<Int>
        var handler: Handler
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var ignored: Set<String> = []

    public init() {}

    /// Handles events of `type` from `source`, decoded with a `Payload` body.
    public mutating func on<Payload: Codable & Sendable>(
        _ source: String, _ type: String, versions: ClosedRange<Int> = 1...1,
        _ handler: @escaping @Sendable (EventEnvelope<Payload>, EventContext) throws -> Void
    ) {
        let topic = Topic.event(source: source, type: type)
        precondition(entries[topic] == nil, "handler for \(topic) registered twice")
        entries[topic] = Entry(versions: versions) { event, context in
            try handler(try event.decode(Payload.self), context)
        }
    }

    /// Handles events of `type` from `source` without decoding their body.
    public mutating func onRaw(
        _ source: String, _ type: String, versions: ClosedRange<Int> = 1...1,
        _ handler: @escaping @Sendable (ReceivedEvent, EventContext) throws -> Void
    ) {
        let topic = Topic.event(source: source, type: type)
        precondition(entries[topic] == nil, "handler for \(topic) registered twice")
        entries[topic] = Entry(versions: versions, handler: handler)
    }

    /// Declares known types of `source` that this service does not need: they are applied
    /// (the offset moves on) without effect.
    public mutating func ignore(_ source: String, types: [String]) {
        for type in types { ignored.insert(Topic.event(source: source, type: type)) }
    }

    /// What to do with an event, decided from its header alone.
    enum Decision {
        case handle(Handler)
        case ignore
        case deadLetter(String)
    }

    func decide(_ header: EventHeader) -> Decision {
        let topic = header.topic
        if let entry = entries[topic] {
            guard entry.versions.contains(header.schemaVersion) else {
                return .deadLetter("schema version \(header.schemaVersion) of \(topic) is not supported (supported: \(entry.versions))")
            }
            return .handle(entry.handler)
        }
        if ignored.contains(topic) { return .ignore }
        return .deadLetter("unknown event type \(topic)")
    }
}
