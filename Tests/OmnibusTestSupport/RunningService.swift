import Logging
import OmnibusBus
import OmnibusService
import ServiceLifecycle

/// A ``ServiceRuntime`` running inside the test process on ephemeral loopback ports with a
/// real SQLite file, stopped gracefully by ``stop()``.
public final class RunningService: Sendable {
    public let runtime: ServiceRuntime
    public let endpoints: ServiceEndpoints
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Builds and starts a runtime, and waits until its three endpoints are bound.
    public static func start(
        _ configuration: ServiceRuntime.Configuration,
        commands: CommandRegistry = CommandRegistry(),
        events: EventHandlerRegistry = EventHandlerRegistry(),
        migrations: (inout GRDBMigrator) -> Void = { _ in },
        context: ZMQContext,
        logLevel: Logger.Level = .critical
    ) async throws -> RunningService {
        var logger = Logger(label: "test.\(configuration.name)")
        logger.logLevel = logLevel
        let runtime = try ServiceRuntime(
            configuration: configuration, commands: commands, events: events,
            migrations: migrations, context: context, logger: logger)
        let group = ServiceGroup(configuration: .init(services: runtime.services.map { .init(service: $0) }, logger: logger))
        let task = Task { try await group.run() }
        let endpoints = ServiceEndpoints(
            events: try await runtime.relay.bound.wait(),
            replay: try await runtime.replayServer.bound.wait(),
            commands: try await runtime.commandServer.bound.wait())
        return RunningService(runtime: runtime, endpoints: endpoints, group: group, task: task)
    }

    private init(runtime: ServiceRuntime, endpoints: ServiceEndpoints, group: ServiceGroup, task: Task<Void, any Error>) {
        self.runtime = runtime
        self.endpoints = endpoints
        self.group = group
        self.task = task
    }

    /// This service as a source other services can subscribe to.
    public var asSource: SubscriptionSource {
        SubscriptionSource(name: runtime.store.source, events: endpoints.events, replay: endpoints.replay)
    }

    /// Stops every part gracefully and waits for it.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
