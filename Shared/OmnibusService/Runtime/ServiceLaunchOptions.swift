import ArgumentParser
import Foundation
import Logging
import Metrics
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusConfiguration

/// The flags every service executable takes: where the suite configuration is, where data
/// goes, how much to log. Each has an environment variable, for deployments that prefer them.
public struct ServiceLaunchOptions: ParsableArguments {
    @OptionGroup public var suite: SuiteConfigurationOption

    @Option(help: ArgumentHelp("The folder that holds every service's database (default: $OMNIBUS_DATA or ./data).", valueName: "folder"))
    public var data: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    @Option(help: ArgumentHelp(
        "Below this many MiB free on the data folder's disk, refuse state-changing commands (default: $OMNIBUS_MIN_FREE_MB or 64; 0: never).",
        valueName: "MiB"))
    public var minFreeMb: Int64?

    @Option(help: ArgumentHelp(
        "Keep events in the log for this long: 30s, 15m, 12h, 7d; 0: no age limit (default: $OMNIBUS_KEEP_EVENTS or 7d).",
        valueName: "age"))
    public var keepEvents: String?

    @Option(help: ArgumentHelp(
        "Keep at most this many MiB of events in the log, the oldest going first; 0: no size limit (default: $OMNIBUS_KEEP_EVENTS_MB or 1024).",
        valueName: "MiB"))
    public var keepEventsMb: Int64?

    @Option(help: ArgumentHelp(
        "Keep each command's reply, for retries of its request id, this long: 15m, 12h, 7d (default: $OMNIBUS_KEEP_REPLIES or 7d).",
        valueName: "age"))
    public var keepReplies: String?

    @Option(help: ArgumentHelp(
        "Keep at most this many MiB of stored replies, the oldest going first (default: $OMNIBUS_KEEP_REPLIES_MB or 256).",
        valueName: "MiB"))
    public var keepRepliesMb: Int64?

    @Option(help: ArgumentHelp(
        "How often to remove the events retention no longer keeps: 1s, 30s, 5m (default: $OMNIBUS_TRIM_EVERY or 10s).",
        valueName: "interval"))
    public var trimEvery: String?

    public init() {}

    /// The data folder after flags and environment.
    public var dataDirectory: String {
        data ?? ProcessInfo.processInfo.environment["OMNIBUS_DATA"] ?? "data"
    }

    /// Sends logs to standard error at the chosen level, each record one escaped line (see
    /// ``SafeLogHandler``), and returns the service's logger.
    public func bootstrapLogging(service: String) -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in SafeLogHandler.standardError(label: label, level: level) }
        return Logger(label: "omnibus.\(service)")
    }

    /// The runtime configuration of `service`: its endpoints and those of the `sources` it
    /// consumes (and of the `optionalSources` the configuration names), from the suite configuration; its database at `<data>/<service>.sqlite`;
    /// its metrics in a Prometheus registry that `service.metrics` serves (this bootstraps
    /// swift-metrics, so a process calls it once).
    public func runtimeConfiguration(
        service: String, sources: [String] = [], optionalSources: [String] = [], logger: Logger
    ) throws -> ServiceRuntime.Configuration {
        let (suite, origin) = try self.suite.load()
        logger.info("configuration", metadata: ["from": "\(origin)", "data": "\(dataDirectory)"])
        var configuration = ServiceRuntime.Configuration(
            name: service, databasePath: "\(dataDirectory)/\(service).sqlite", endpoints: try suite.endpoints(of: service))
        configuration.metricsRegistry = MetricsExposition.bootstrap()
        configuration.metricsFactory = MetricsSystem.factory
        configuration.sources = try (sources + optionalSources.filter { suite.services[$0] != nil }).map(suite.subscriptionSource(of:))
        configuration.access = try BusAccess.load(suite.security)
        if let floor = try Self.bytes(flag: minFreeMb, "--min-free-mb", environment: "OMNIBUS_MIN_FREE_MB", least: 0) {
            configuration.minimumFreeBytes = floor
        }
        configuration.retention = try retention()
        try applyReplyRetention(to: &configuration.commands)
        if let interval = try Self.age(flag: trimEvery, "--trim-every", environment: "OMNIBUS_TRIM_EVERY",
                                       is: "an interval such as 1s, 30s or 5m"), let interval {
            configuration.trimInterval = interval
        }
        if suite.security == nil {
            let exposed = suite.endpointsBeyondLoopback
            guard exposed.isEmpty else {
                throw ValidationError("""
                    \(exposed.joined(separator: ", ")) can be reached from other machines, and the configuration has no \
                    "security" section: run `omnibus keys` and name the key folder (see docs/SECURITY.md)
                    """)
            }
            logger.warning("CURVE is off: anyone who can reach these loopback ports can call any command (local development only)")
        }
        return configuration
    }

    /// The event retention after flags and environment (``EventRetention/standard`` for what neither sets).
    public func retention() throws -> EventRetention {
        var retention = EventRetention.standard
        if let age = try Self.age(flag: keepEvents, "--keep-events", environment: "OMNIBUS_KEEP_EVENTS",
                                  is: "an age such as 30s, 15m, 12h or 7d (0: no limit)", noLimitAllowed: true) {
            retention.maxAge = age
        }
        if let bytes = try Self.bytes(flag: keepEventsMb, "--keep-events-mb", environment: "OMNIBUS_KEEP_EVENTS_MB", least: 0) {
            retention.maxBytes = bytes == 0 ? nil : bytes
        }
        return retention
    }

    /// Stored replies' age and size limits after flags and environment.
    func applyReplyRetention(to options: inout CommandServer.Options) throws {
        if let age = try Self.age(flag: keepReplies, "--keep-replies", environment: "OMNIBUS_KEEP_REPLIES",
                                  is: "an age such as 15m, 12h or 7d"), let age {
            options.replyRetention = age
        }
        if let bytes = try Self.bytes(flag: keepRepliesMb, "--keep-replies-mb", environment: "OMNIBUS_KEEP_REPLIES_MB", least: 1) {
            options.maxStoredReplyBytes = bytes
        }
    }

    /// A duration given by `flag`, else by the environment variable (``EventRetention/parseAge(_:)``);
    /// nil when neither is set, `.some(nil)` for "no limit" where `noLimitAllowed`.
    private static func age(
        flag value: String?, _ name: String, environment: String, is expected: String, noLimitAllowed: Bool = false
    ) throws -> Duration?? {
        guard let text = value ?? ProcessInfo.processInfo.environment[environment] else { return nil }
        guard let age = EventRetention.parseAge(text), noLimitAllowed || age != nil else {
            throw ValidationError("\(name) '\(text)' is not \(expected)")
        }
        return .some(age)
    }

    /// A size given in MiB by `flag`, else by the environment variable, in bytes; nil when neither is set.
    private static func bytes(flag value: Int64?, _ name: String, environment: String, least: Int64) throws -> Int64? {
        var mebibytes = value
        if mebibytes == nil, let text = ProcessInfo.processInfo.environment[environment] {
            guard let parsed = Int64(text) else { throw ValidationError("$\(environment) '\(text)' is not a whole number of MiB") }
            mebibytes = parsed
        }
        guard let mebibytes else { return nil }
        guard (least...(Int64.max >> 20)).contains(mebibytes) else { throw ValidationError("\(name) must be \(least) or more, in MiB") }
        return mebibytes << 20
    }

    /// The ZeroMQ context of a process acting as `principal` (the service's own name): CURVE
    /// on every socket when the configuration has a security section.
    public func busContext(as principal: String) throws -> ZMQContext {
        try suite.load().configuration.busContext(as: principal)
    }

    /// A file (or folder) a service loads at start — a seed, rules: `explicit` (a flag), else
    /// the environment variable `environment`, else `name` beside the configuration file when
    /// it exists, else none. An explicitly named one must exist.
    public func seedFile(explicit: String?, environment: String, name: String) throws -> String? {
        if let path = explicit ?? ProcessInfo.processInfo.environment[environment], !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("nothing at \(path)") }
            return path
        }
        let (_, origin) = try suite.load()
        guard FileManager.default.fileExists(atPath: origin) else { return nil }
        let beside = URL(fileURLWithPath: origin).deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: beside) ? beside : nil
    }
}
