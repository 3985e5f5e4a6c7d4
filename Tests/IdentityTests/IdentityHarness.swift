import Foundation
import GRDB
import IdentityService
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport

/// A real identity service in the test process: its own SQLite file in a temporary
/// directory, commands over a real DEALER→ROUTER socket on loopback.
final class IdentityHarness: CommandTarget, Sendable {
    let directory: TemporaryDirectory
    let context: ZMQContext
    let service: RunningRuntime

    var databasePath: String { directory.file("identity.sqlite") }

    private init(directory: TemporaryDirectory, context: ZMQContext, service: RunningRuntime) {
        self.directory = directory
        self.context = context
        self.service = service
    }

    static func start() async throws -> IdentityHarness {
        let directory = try TemporaryDirectory()
        let context = try ZMQContext()
        let service = try await RunningRuntime.start(IdentityService.name, in: directory, context: context, make: IdentityService.makeRuntime)
        return IdentityHarness(directory: directory, context: context, service: service)
    }

    func stop() async throws {
        try await service.stop()
        directory.remove()
    }

    /// Runs `body` with a started identity and stops it (folder removed) however `body`
    /// ends: a failing `try` in a test leaks no service or folder.
    static func with<Result>(_ body: (IdentityHarness) async throws -> Result) async throws -> Result {
        try await scoped(try await start(), stop: { try await $0.stop() }, body)
    }

    /// Commands to this service over a real DEALER socket.
    var commands: CommandSender { CommandSender(endpoint: service.endpoints.commands, context: context) }



    func resolve(_ kind: IdentifierKind, _ value: String, channel: String = "app") async throws -> ResolvedCustomer {
        try await call(ResolveIdentifier(identifier: IdentifierInput(kind, value)), channel: channel)
    }

    func profile(_ customerId: String) async throws -> CustomerProfile {
        try await call(GetProfile(customerId: customerId))
    }

    func health() async throws -> HealthReport {
        try await commands.health()
    }

    /// The service's events of one type, decoded, oldest first.
    func events<Payload: Codable & Sendable>(_ type: String, as: Payload.Type = Payload.self) throws -> [EventEnvelope<Payload>] {
        try service.loggedEvents(type, as: Payload.self)
    }
}
