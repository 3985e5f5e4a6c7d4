import ArgumentParser
import AsyncAlgorithms
import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusConfiguration
import OmnibusContracts

/// `omnibus tail`: every event on the bus, or a filtered part, as it happens or from the logs.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show events on the bus: live, or replayed from the services' logs and then live.",
        discussion: """
            On a terminal: one coloured line per event (time, source, sequence, type, customer, data). \
            Piped or with --json: the full envelope as one JSON line per event. Without --from-start or \
            --from, starts at each service's current head (live only). Gaps in a source's sequence are \
            repaired by replay and reported on standard error.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Option(name: .customLong("topic"), help: ArgumentHelp("Only events whose topic (source.type) starts with this.", valueName: "prefix"))
    var topicPrefix: String?

    @Option(help: "Only events of this source service (repeatable).")
    var source: [String] = []

    @Option(help: "Only events about this customer id.")
    var customer: String?

    @Option(help: "Only events of this type, e.g. customer.created (repeatable).")
    var type: [String] = []

    @Flag(help: "Replay every service's log from its first event, then follow live.")
    var fromStart = false

    @Option(help: ArgumentHelp("Replay SOURCE from sequence SEQ (inclusive), then follow live (repeatable).", valueName: "source:seq"))
    var from: [String] = []

    @Flag(help: "Stop once caught up with every service's head instead of following.")
    var untilEnd = false

    @Option(help: "Stop after this many (matching) events.")
    var count: Int?

    @Flag(help: "Full envelopes as JSON lines, also on a terminal.")
    var json = false

    @Flag(help: "A table of events/s per topic and per source, refreshed every second, instead of events.")
    var stats = false

    func validate() throws {
        for value in from where TailStart.parse(value) == nil {
            throw ValidationError("--from \(value) is not SOURCE:SEQ (a service name and a sequence of 1 or more)")
        }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if fromStart && !from.isEmpty { throw ValidationError("--from-start and --from exclude each other") }
    }

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        let selected = source.isEmpty ? configuration.services.keys.sorted() : source
        for name in selected + from.compactMap({ TailStart.parse($0)?.source }) where configuration.services[name] == nil {
            throw ValidationError("no service '\(name)' in the configuration; it names \(configuration.services.keys.sorted().joined(separator: ", "))")
        }
        let context = try principal.busContext(for: configuration)
        let starts = try await TailStart.positions(
            for: selected, fromStart: fromStart, from: from.compactMap(TailStart.parse), configuration: configuration, context: context)
        let filter = EventFilter(topicPrefix: topicPrefix, sources: Set(source), customerId: customer, types: Set(type))
        let printer = EventPrinter(format: json || isatty(STDOUT_FILENO) == 0 ? .json : .pretty(colour: isatty(STDOUT_FILENO) != 0))
        let sources = try selected.map(configuration.subscriptionSource(of:))
        var logger = Logger(label: "omnibus.tail")
        logger.logLevel = .critical
        var options = BusEvents.Options()
        options.untilCaughtUp = untilEnd
        options.threadName = "tail"
        let events = BusEvents(sources: sources, startAfter: starts, context: context, logger: logger, options: options)
        let statistics = stats ? TopicStatistics(colour: isatty(STDOUT_FILENO) != 0) : nil
        let session = TailSession(filter: filter, printer: printer, limit: count, statistics: statistics)
        try await untilInterrupted {
            guard let statistics else { return try await session.run(events) }
            // The table is redrawn every second, whether events come or not.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in AsyncTimerSequence.repeating(every: .seconds(1)) { statistics.refresh() }
                }
                defer { group.cancelAll() }
                try await session.run(events)
            }
        }
    }
}

/// Where tail starts in each source's log.
enum TailStart {
    static func parse(_ value: String) -> (source: String, sequence: Int64)? {
        let parts = value.split(separator: ":")
        guard parts.count == 2, Topic.isValidSource(String(parts[0])), let sequence = Int64(parts[1]), sequence >= 1 else { return nil }
        return (String(parts[0]), sequence)
    }

    /// The sequence to start after, per source: 0 with --from-start, SEQ-1 with --from, else
    /// the service's current head (asked by `service.health`), so only new events show.
    static func positions(
        for sources: [String], fromStart: Bool, from: [(source: String, sequence: Int64)],
        configuration: SuiteConfiguration, context: ZMQContext
    ) async throws -> [String: Int64] {
        var positions: [String: Int64] = [:]
        for name in sources {
            if fromStart { positions[name] = 0; continue }
            if let start = from.first(where: { $0.source == name }) { positions[name] = start.sequence - 1; continue }
            let endpoint = try configuration.endpoints(of: name).commands
            switch await HealthProbe.check(endpoint: endpoint, context: context, timeoutMilliseconds: 2_000) {
            case .success(let report): positions[name] = report.head
            case .failure(let error): throw ValidationError("cannot find \(name)'s current position: \(error.message)")
            }
        }
        return positions
    }
}
