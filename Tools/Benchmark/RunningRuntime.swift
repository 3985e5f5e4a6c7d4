import OmnibusService
import ServiceLifecycle

/// A runtime running in this process until ``stop()``.
final class RunningRuntime: Sendable {
    let runtime: ServiceRuntime
    let asSource: SubscriptionSource
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(runtime: ServiceRuntime, asSource: SubscriptionSource, group: ServiceGroup, task: Task<Void, any Error>) {
        self.runtime = runtime
        self.asSource = asSource
        self.group = group
        self.task = task
    }

    static func start(_ runtime: ServiceRuntime) async throws -> RunningRuntime {
        let group = ServiceGroup(configuration: .init(services: runtime.services.map { .init(service: $0) }, logger: quietLogger))
        let task = Task { try await group.run() }
        let source = SubscriptionSource(
            name: runtime.store.source, events: try await runtime.relay.bound.wait(), replay: try await runtime.replayServer.bound.wait())
        return RunningRuntime(runtime: runtime, asSource: source, group: group, task: task)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
