import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusService
import ServiceLifecycle

/// Runs a producing service: it takes `probe.record` commands and can generate events itself.
struct Produce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a service that publishes probe.recorded events.",
        discussion: """
            Events come from `probe.record` commands and, with --generate, from the probe itself.
            With --crash-after-commit the probe commits the generated events and kills itself
            with SIGKILL before anything is published: the crash a relay must survive.
            """)

    @OptionGroup var service: ProbeServiceOptions

    @Option(help: "Generate this many events after start.")
    var generate = 0

    @Option(help: "Events per transaction when generating.")
    var batch = 100

    @Option(help: "Events per second when generating (0: as fast as possible).")
    var rate = 0

    @Option(help: "Bytes of payload text per generated event.")
    var payloadBytes = 64

    @Flag(help: "Commit the generated events, then die by SIGKILL before publishing them.")
    var crashAfterCommit = false

    func validate() throws {
        guard generate >= 0, batch > 0, rate >= 0, payloadBytes >= 0 else {
            throw ValidationError("--generate, --rate and --payload-bytes must be 0 or more; --batch more than 0")
        }
    }

    func run() async throws {
        let logger = service.bootstrapLogging()
        var commands = CommandRegistry()
        commands.register(ProbeContract.Record.self) { input, context in
            let sequence = try context.emit(ProbeContract.Recorded(index: -1, payload: input.payload))
            return ProbeContract.RecordReply(sequence: sequence)
        }
        var configuration = ServiceRuntime.Configuration(name: service.name, databasePath: service.database, endpoints: service.endpoints)
        configuration.relay.heartbeatMilliseconds = 500
        let runtime = try ServiceRuntime(configuration: configuration, commands: commands, context: try ZMQContext(), logger: logger)
        let generator = EventGenerator(store: runtime.store, count: generate, batch: batch, rate: rate, payloadBytes: payloadBytes)
        if crashAfterCommit {
            try generator.appendAll()
            logger.notice("committed; dying before publishing", metadata: ["events": "\(generate)"])
            kill(getpid(), SIGKILL)
        }
        try await runtime.serviceGroup(logger: logger, extra: [.init(service: generator, successTerminationBehavior: .ignore)]).run()
    }
}

/// Appends `count` probe events in transactions of `batch`, paced to `rate` per second.
struct EventGenerator: Service {
    let store: EventStore
    let count: Int
    let batch: Int
    let rate: Int
    let payloadBytes: Int

    func run() async throws {
        try await runOnDedicatedThread(name: "generator") { stop in
            let start = ContinuousClock.now
            var produced = 0
            while produced < count && !stop.isStopped {
                let size = min(batch, count - produced)
                try store.append(events(from: produced, count: size))
                produced += size
                if rate > 0 {
                    let due = start + .milliseconds(produced * 1000 / rate)
                    if due > .now { Thread.sleep(forTimeInterval: (due - .now).secondsValue) }
                }
            }
        }
    }

    func appendAll() throws {
        try store.append(events(from: 0, count: count))
    }

    private func events(from first: Int, count: Int) -> [PendingEvent] {
        let payload = String(repeating: "x", count: payloadBytes)
        return (first..<first + count).map {
            PendingEvent(ProbeContract.Recorded(index: $0, payload: payload))
        }
    }
}
