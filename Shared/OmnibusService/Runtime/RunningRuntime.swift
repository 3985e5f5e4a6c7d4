import Logging
import OmnibusClient
import OmnibusConfiguration
import ServiceLifecycle

/// A ``ServiceRuntime`` running inside this process until ``stop()``: for tests, benchmarks
/// and embedding, where no signal should stop it. A service's `main` uses
/// ``ServiceRuntime/serviceGroup(logger:extra:)`` instead.
public final class RunningRuntime: Sendable {
    public let runtime: ServiceRuntime
    /// The endpoints actually bound (wildcard ports resolved).
    public let endpoints: ServiceEndpoints
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(runtime: ServiceRuntime, endpoints: ServiceEndpoints, group: ServiceGroup, task: Task<Void, any Error>) {
        self.runtime = runtime
        self.endpoints = endpoints
        self.group = group
        self.task = task
    }

    /// Starts every part of `runtime` and waits until its three endpoints are bound.
    public static func start(_ runtime: ServiceRuntime, logger: Logger) async throws -> RunningRuntime {
        let group = ServiceGroup(configuration: .init(services: runtime.services.map { .init(service: $0) }, logger: logger))
        let task = Task { try await group.run() }
        let endpoints = ServiceEndpoints(
            events: try await runtime.relay.bound.wait(),
            replay: try await runtime.replayServer.bound.wait(),
            commands: try await runtime.commandServer.bound.wait())
        return RunningRuntime(runtime: runtime, endpoints: endpoints, group: group, task: task)
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
