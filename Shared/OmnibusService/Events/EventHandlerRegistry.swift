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

    typealias SnapshotHandler = @Sendable ([SnapshotRecord], SnapshotContext) throws -> Void

    private(set) var entries: [Key: Entry] = [:]
    private(set) var ignored: Set<Key> = []
    /// Snapshot handlers by source and record kind (the key's `type`).
    private(set) var snapshotHandlers: [Key: SnapshotHandler] = [:]

    /// The sources whose snapshots this service folds when its position in their log is
    /// older than what they keep.
    public var snapshotSources: Set<String> { Set(snapshotHandlers.keys.map(\.source)) }

    public init() {}

    /// Handles `Event`s, decoded, from the event's own source or from `source` (a service
    /// whose name is configured, such as the probe). `versions` are the schema versions
    /// understood, by default the contract's own.
    public mutating func on<Event: EventContract>(
        _ event: Event.Type, from source: String = Event.source,
        versions: ClosedRange<Int> = Event.schemaVersion...Event.schemaVersion,
        _ handler: @escaping @Sendable (EventEnvelope<Event>, EventContext) throws -> Void
    ) {
        add(Key(source: source, type: Event.type), versions: versions) { received, context in
            try handler(try received.decode(Event.self), context)
        }
    }

    /// Handles `Event`s without decoding their body: for handlers that need only the
    /// envelope, or read the raw bytes themselves.
    public mutating func onRaw<Event: EventContract>(
        _ event: Event.Type, from source: String = Event.source,
        versions: ClosedRange<Int> = Event.schemaVersion...Event.schemaVersion,
        _ handler: @escaping @Sendable (ReceivedEvent, EventContext) throws -> Void
    ) {
        add(Key(source: source, type: Event.type), versions: versions, handler)
    }

    /// Declares known event types that this service does not need: they are applied (the
    /// offset moves on) without effect.
    public mutating func ignore(_ events: [any EventContract.Type]) {
        for event in events { ignored.insert(Key(source: event.source, type: event.type)) }
    }

    /// Declares every one of `events` that has no handler yet as not this service's concern:
    /// call it after the handlers, with a source's whole contract list (`OrdersEvent.all`), so a
    /// type the contract gains later is still parked, not dropped, by a service built before it.
    public mutating func ignoreUnhandled(_ events: [any EventContract.Type]) {
        ignore(events.filter { entries[Key(source: $0.source, type: $0.type)] == nil })
    }

    /// Folds `kind` records of `source`'s snapshot into this service's state: how it rebuilds
    /// what it keeps of `source` when it was away longer than `source` keeps its events
    /// (docs/PROTOCOL.md, 3.1). The handler gets a chunk's records of the kind together (so
    /// it can do in one statement what applies to many), in the chunk's transaction; if it
    /// throws, the records are folded again one by one and a failing one is parked as a dead
    /// letter. It must be idempotent — a chunk may be folded again after a failed commit —
    /// and bring the service's state to what applying the events it missed would have
    /// (merges moved, erasures done). Kinds without a handler are not this service's concern.
    public mutating func onSnapshot(
        of source: String, kind: String, _ handler: @escaping @Sendable ([SnapshotRecord], SnapshotContext) throws -> Void
    ) {
        let key = Key(source: source, type: kind)
        precondition(snapshotHandlers[key] == nil, "snapshot handler for \(source) \(kind) registered twice")
        snapshotHandlers[key] = handler
    }

    func snapshotHandler(source: String, kind: String) -> SnapshotHandler? {
        snapshotHandlers[Key(source: source, type: kind)]
    }

    private mutating func add(_ key: Key, versions: ClosedRange<Int>, _ handler: @escaping Handler) {
        precondition(entries[key] == nil, "handler for \(Topic.event(source: key.source, type: key.type)) registered twice")
        entries[key] = Entry(versions: versions, handler: handler)
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
