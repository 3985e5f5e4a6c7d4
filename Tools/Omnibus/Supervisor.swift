import ArgumentParser
import AsyncAlgorithms
import Foundation
import OmnibusBus
import OmnibusConfiguration

/// Starts the services, restarts the ones that die, and stops them all on request.
/// Runs on one task; the processes are its own.
final class Supervisor {
    private let services: [ManagedService]
    private let configuration: SuiteConfiguration
    private let context: ZMQContext
    private let say: (String) -> Void
    private static let tick: Duration = .milliseconds(100)

    init(services: [ManagedService], configuration: SuiteConfiguration, context: ZMQContext, say: @escaping (String) -> Void) {
        self.services = services
        self.configuration = configuration
        self.context = context
        self.say = say
    }

    /// Two suites on the same endpoints would fight over the ports; say so instead.
    func refuseIfAlreadyRunning() async throws {
        for service in services {
            switch service.probe {
            case .health(let endpoint):
                if case .success = await HealthProbe.check(endpoint: endpoint, context: context, timeoutMilliseconds: 300) {
                    throw ValidationError("\(service.name) already answers on \(endpoint): is a suite already running?")
                }
            case .listening(let host, let port):
                if ListeningProbe.accepts(host: host, port: port) {
                    throw ValidationError("something already listens on \(host):\(port), the \(service.name)'s address: is a suite already running?")
                }
            }
        }
    }

    /// Starts everything, calls `ready` once all answer their health check, then supervises
    /// until `stop` is requested, and stops every process before returning.
    func run(until stop: StopSignal, startTimeout: Duration, stopTimeout: Duration, ready: () -> Void) async throws {
        for service in services { try start(service) }
        let readyBy = ContinuousClock.now + startTimeout
        var announced = false
        for await _ in AsyncTimerSequence(interval: Self.tick, clock: .continuous) {
            guard !stop.isStopped else { break }
            await superviseOnce()
            if !announced && services.allSatisfy({ !$0.awaitingHealth }) {
                ready()
                announced = true
            } else if !announced && ContinuousClock.now > readyBy {
                let waiting = services.filter(\.awaitingHealth).map(\.name)
                say("still waiting for \(waiting.joined(separator: ", ")) to answer; see their logs")
                announced = true
            }
        }
        say("stopping")
        await stopAll(timeout: stopTimeout)
    }

    private func start(_ service: ManagedService) throws {
        try service.start()
        say("\(service.name) started (pid \(service.pid ?? 0))")
    }

    /// Restarts the dead when their backoff is over and checks the health of the newly started.
    private func superviseOnce() async {
        let now = ContinuousClock.now
        for service in services {
            if service.isRunning {
                if service.awaitingHealth { await checkHealth(service) }
                continue
            }
            guard let restartAt = service.restartAt else {
                service.restartAt = now + service.backoff
                say("\(service.name) \(service.exitDescription); restarting in \(service.backoff.secondsValue) s (log: \(service.logPath))")
                service.backoff = min(service.backoff * 2, ManagedService.maximumBackoff)
                continue
            }
            guard now >= restartAt else { continue }
            service.restartAt = nil
            do {
                try start(service)
            } catch {
                say("\(service.name) could not be started: \(error)")
            }
        }
    }

    private func checkHealth(_ service: ManagedService) async {
        let up: String?
        switch service.probe {
        case .health(let endpoint):
            guard case .success(let report) = await HealthProbe.check(endpoint: endpoint, context: context, timeoutMilliseconds: 200) else { return }
            up = "head \(report.head)"
        case .listening(let host, let port):
            guard ListeningProbe.accepts(host: host, port: port) else { return }
            up = "http://\(host):\(port)"
        }
        service.awaitingHealth = false
        // It started properly, so a later death is no crash at start: restart it quickly.
        service.backoff = ManagedService.initialBackoff
        say("\(service.name) is up (\(up ?? ""))")
    }

    /// SIGTERM to every service, SIGKILL to those still running after `timeout`.
    private func stopAll(timeout: Duration) async {
        for service in services { service.signal(SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        await untilAllExited(orGiveUp: { ContinuousClock.now >= deadline })
        for service in services where service.isRunning {
            say("\(service.name) did not stop within \(timeout); killing it")
            service.signal(SIGKILL)
        }
        await untilAllExited(orGiveUp: { false })
    }

    /// Looks every 20 ms until no service runs, or `giveUp` says so.
    private func untilAllExited(orGiveUp giveUp: () -> Bool) async {
        for await _ in AsyncTimerSequence(interval: .milliseconds(20), clock: .continuous) {
            if !services.contains(where: \.isRunning) || giveUp() { return }
        }
    }
}
