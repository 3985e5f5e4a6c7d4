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

    /// A source and an event type: looked up for every event, so no topic string is built.
    struct Key: Hashable, Sendable {
        var source: String
        var type: String
    }

    private(set) var entries: [Key: Entry] = [:]
    private(set) var ignored: Set<Key> = []

    public init() {}

    /// Handles events of `type` from `source`, decoded with a `Payload` body.
    public mutating func on<Payload: Codable & Sendable>(
        _ source: String, _ type: String, versions: ClosedRange<Int> = 1...1,
        _ handler: @escaping @Sendable (EventEnvelope<Payload>, EventContext) throws -> Void
    ) {
        let key = Key(source: source, type: type)
        precondition(entries[key] == nil, "handler for \(Topic.event(source: source, type: type)) registered twice")
        entries[key] = Entry(versions: versions) { event, context in
            try handler(try event.decode(Payload.self), context)
        }
    }

    /// Handles events of `type` from `source` without decoding their body.
    public mutating func onRaw(
        _ source: String, _ type: String, versions: ClosedRange<Int> = 1...1,
        _ handler: @escaping @Sendable (ReceivedEvent, EventContext) throws -> Void
    ) {
        let key = Key(source: source, type: type)
        precondition(entries[key] == nil, "handler for \(Topic.event(source: source, type: type)) registered twice")
        entries[key] = Entry(versions: versions, handler: handler)
    }

    /// Declares known types of `source` that this service does not need: they are applied
    /// (the offset moves on) without effect.
    public mutating func ignore(_ source: String, types: [String]) {
        for type in types { ignored.insert(Key(source: source, type: type)) }
    }

    /// What to do with an event, decided from its header alone.
    enum Decision {
        case handle(Handler)
        case ignore
        case deadLetter(String)
    }

    func decide(_ header: EventHeader) -> Decision {
        let key = Key(source: header.source, type: header.type)
        if let entry = entries[key] {
            guard entry.versions.contains(header.schemaVersion) else {
                return .deadLetter("schema version \(header.schemaVersion) of \(header.topic) is not supported (supported: \(entry.versions))")
            }
            return .handle(entry.handler)
        }
        if ignored.contains(key) { return .ignore }
        return .deadLetter("unknown event type \(header.topic)")
    }
}
