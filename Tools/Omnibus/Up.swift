import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusCommandLine
import OmnibusConfiguration
import UnixSignals

/// `omnibus up`: runs every built service of the suite as its own process and keeps them up.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the suite: every service that exists, each as its own process, until Ctrl-C or SIGTERM.",
        discussion: """
            Services are the ones the configuration names whose executable (omnibus-<name>) is in --bin. \
            Each gets --config and --data; its output goes to <data>/logs/<name>.log. `up` waits until \
            every service answers its health check, then prints where things are. A service that dies \
            is reported and restarted: after 0.5 s if it had answered its health check, else after a wait \
            that doubles up to 30 s (a crash at start). Ctrl-C or SIGTERM stops the \
            services with SIGTERM (SIGKILL after --stop-timeout) and returns when none is left.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Option(help: ArgumentHelp("The folder for every service's data and logs.", valueName: "folder"))
    var data = "data"

    @Option(help: ArgumentHelp("Where the service executables are (default: beside this omnibus executable).", valueName: "folder"))
    var bin: String?

    @Option(help: "Log level passed to every service.")
    var logLevel = "info"

    @Option(help: "Seconds to wait for every service's first health answer.")
    var startTimeout = 60

    @Option(help: "Seconds a service gets to stop after SIGTERM before SIGKILL.")
    var stopTimeout = 10

    func validate() throws {
        guard startTimeout > 0, stopTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else { throw ValidationError("--log-level must be one of \(levels.joined(separator: ", "))") }
    }

    func run() async throws {
        let (configuration, origin) = try suite.loadOrRefuse()
        let dataPath = URL(fileURLWithPath: data).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataPath + "/logs", withIntermediateDirectories: true)
        let binPath = bin ?? URL(fileURLWithPath: Self.ownExecutable).deletingLastPathComponent().path
        let configArguments = FileManager.default.fileExists(atPath: origin)
            ? ["--config", URL(fileURLWithPath: origin).standardizedFileURL.path] : []

        var services: [ManagedService] = []
        for name in configuration.services.keys.sorted() {
            let executable = "\(binPath)/omnibus-\(name)"
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                say("\(name): no executable at \(executable); not started")
                continue
            }
            services.append(ManagedService(
                name: name, executable: executable,
                arguments: configArguments + ["--data", dataPath, "--log-level", logLevel],
                logPath: "\(dataPath)/logs/\(name).log", probe: .health(commands: configuration.services[name]!.commands)))
        }
        if let (host, port) = configuration.gateway?.hostAndPort {
            let executable = "\(binPath)/omnibus-gateway"
            // The gateway needs its tokens, beside the configuration file (the built-in defaults have none).
            let tokens = URL(fileURLWithPath: origin).deletingLastPathComponent().appendingPathComponent("gateway/tokens.json").path
            if !FileManager.default.fileExists(atPath: tokens) {
                say("gateway: no tokens at \(tokens); not started")
            } else if FileManager.default.isExecutableFile(atPath: executable) {
                services.append(ManagedService(
                    name: "gateway", executable: executable, arguments: configArguments + ["--log-level", logLevel],
                    logPath: "\(dataPath)/logs/gateway.log", probe: .listening(host: host, port: port)))
            } else {
                say("gateway: no executable at \(executable); not started")
            }
        }
        guard !services.isEmpty else { throw ValidationError("no service executable found in \(binPath); build first (swift build)") }

        let context = try principal.busContext(for: configuration)
        let supervisor = Supervisor(services: services, configuration: configuration, context: context, say: say)
        try await supervisor.refuseIfAlreadyRunning()
        let stop = StopSignal()
        // The supervisor stops its services itself, so a signal raises a flag it sees at its
        // next tick rather than cancelling it.
        // Trapped before any service starts, so a signal can never kill up and orphan them.
        let trapped = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let signals = Task {
            for await _ in trapped {
                stop.stop()
                return
            }
        }
        defer { signals.cancel() }
        say("starting \(services.map(\.name).joined(separator: ", ")) (config: \(origin), data: \(dataPath))")
        if configuration.security == nil {
            say("WARNING: CURVE is off — anyone who can reach these loopback ports can call any command and read every event; " +
                "fine for local development only (docs/SECURITY.md: `omnibus keys`)")
        }
        try await supervisor.run(until: stop, startTimeout: .seconds(startTimeout), stopTimeout: .seconds(stopTimeout)) {
            say("suite up; `omnibus status` shows its health, `omnibus tail` its events")
            let width = services.map(\.name.count).max() ?? 0
            for service in services {
                let name = service.name.padding(toLength: width, withPad: " ", startingAt: 0)
                if let endpoints = configuration.services[service.name] {
                    say("  \(name)  pid \(service.pid ?? 0)  commands \(endpoints.commands)  events \(endpoints.events)  replay \(endpoints.replay)  log \(service.logPath)")
                } else {
                    say("  \(name)  pid \(service.pid ?? 0)  http://\(configuration.gateway?.http ?? "")  log \(service.logPath)")
                }
            }
        }
        say("stopped")
    }

    /// Written unbuffered, so a log collector or test reading the pipe sees each line at once.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data("omnibus up: \(line)\n".utf8))
    }

    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
