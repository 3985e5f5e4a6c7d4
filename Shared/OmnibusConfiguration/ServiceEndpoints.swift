/// Where a service listens: its PUB socket for events, its ROUTER for replay, its ROUTER
/// for commands. `tcp://127.0.0.1:*` binds a free port (see each server's `bound`).
public struct ServiceEndpoints: Sendable, Codable, Hashable {
    public var events: String
    public var replay: String
    public var commands: String

    public init(events: String, replay: String, commands: String) {
        self.events = events
        self.replay = replay
        self.commands = commands
    }

    /// Three free ports on the loopback interface, for tests.
    public static let ephemeral = ServiceEndpoints(
        events: "tcp://127.0.0.1:*", replay: "tcp://127.0.0.1:*", commands: "tcp://127.0.0.1:*")

    /// Three consecutive loopback ports from `basePort`: events, replay, commands.
    public static func loopback(basePort: Int) -> ServiceEndpoints {
        ServiceEndpoints(
            events: "tcp://127.0.0.1:\(basePort)", replay: "tcp://127.0.0.1:\(basePort + 1)",
            commands: "tcp://127.0.0.1:\(basePort + 2)")
    }
}
