import IdentityService
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// A real identity service in the test process, for tests of the services that consume its
/// events: its own SQLite file in a temporary directory, on ephemeral loopback ports.
public final class InProcessIdentity: Sendable {
    public let directory: TemporaryDirectory
    public let service: RunningRuntime
    /// Commands to it over a real DEALER socket.
    public let commands: CommandSender

    private init(directory: TemporaryDirectory, service: RunningRuntime, commands: CommandSender) {
        self.directory = directory
        self.service = service
        self.commands = commands
    }

    public static func start(context: ZMQContext) async throws -> InProcessIdentity {
        let directory = try TemporaryDirectory()
        do {
            let service = try await RunningRuntime.start(IdentityService.name, in: directory, context: context, make: IdentityService.makeRuntime)
            return InProcessIdentity(directory: directory, service: service,
                                     commands: CommandSender(endpoint: service.endpoints.commands, context: context))
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the service and removes its folder.
    public func stop() async throws {
        try await service.stop()
        directory.remove()
    }

    /// The customer id identity gives `value` of `kind`.
    public func resolve(_ kind: IdentifierKind, _ value: String, channel: String = "app") async throws -> String {
        try await commands.call(ResolveIdentifier(identifier: IdentifierInput(kind, value)), channel: channel).customerId
    }

    /// Waits until the service `consumer` talks to has applied everything identity has logged.
    public func waitUntilApplied(by consumer: CommandSender) async throws {
        let head = try await commands.health().head
        try await eventually("identity's events applied through \(head)") {
            try await consumer.health().subscriptions[IdentityService.name]?.applied == head
        }
    }
}
