/// A service whose events another service consumes: its name and where it publishes and
/// serves replay.
public struct SubscriptionSource: Sendable, Hashable {
    public var name: String
    /// Its PUB endpoint, e.g. `tcp://127.0.0.1:5601`.
    public var events: String
    /// Its replay ROUTER endpoint, e.g. `tcp://127.0.0.1:5602`.
    public var replay: String

    public init(name: String, events: String, replay: String) {
        self.name = name
        self.events = events
        self.replay = replay
    }
}
