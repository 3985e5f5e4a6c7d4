import ArgumentParser
import GRDB
import OmnibusBus
import OmnibusClient
import OmnibusService

/// Runs a consuming service that records every probe event it applies.
struct Consume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a service that consumes probe.recorded events into its database.",
        discussion: """
            Every applied event becomes a row of the table receivedEvent(source, sequence,
            eventId, envelope), written in the same transaction as the source's offset; rows are
            not de-duplicated by the table, so an event applied twice would show twice.
            """)

    @OptionGroup var service: ProbeServiceOptions

    @Option(help: "A source to consume, as NAME=EVENTS_ENDPOINT,REPLAY_ENDPOINT (repeatable).")
    var source: [String] = []

    func validate() throws {
        guard !source.isEmpty else { throw ValidationError("name at least one --source") }
        for value in source where Self.parseSource(value) == nil {
            throw ValidationError("--source \(value) is not NAME=EVENTS_ENDPOINT,REPLAY_ENDPOINT")
        }
    }

    static func parseSource(_ value: String) -> SubscriptionSource? {
        let parts = value.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let endpoints = parts[1].split(separator: ",")
        guard endpoints.count == 2 else { return nil }
        return SubscriptionSource(name: String(parts[0]), events: String(endpoints[0]), replay: String(endpoints[1]))
    }

    func run() async throws {
        let logger = service.bootstrapLogging()
        let sources = source.compactMap(Self.parseSource)
        var events = EventHandlerRegistry()
        for source in sources {
            events.onRaw(ProbeContract.Recorded.self, from: source.name) { event, context in
                try context.db.execute(
                    sql: "INSERT INTO receivedEvent (source, sequence, eventId, envelope) VALUES (?, ?, ?, ?)",
                    arguments: [event.header.source, event.header.sequence, event.header.id, event.envelope])
            }
        }
        var configuration = ServiceRuntime.Configuration(name: service.name, databasePath: service.database, endpoints: service.endpoints)
        configuration.sources = sources
        let runtime = try ServiceRuntime(
            configuration: configuration, events: events,
            migrations: { migrator in
                migrator.registerMigration("probe-sink-v1") { db in
                    try db.execute(sql: "CREATE TABLE receivedEvent (source TEXT NOT NULL, sequence INTEGER NOT NULL, eventId TEXT NOT NULL, envelope BLOB NOT NULL)")
                }
            },
            context: try ZMQContext(), logger: logger)
        try await runtime.serviceGroup(logger: logger).run()
    }
}
