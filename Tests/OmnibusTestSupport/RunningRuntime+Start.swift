import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService

extension RunningRuntime {
    /// Builds a runtime and starts it (see ``RunningRuntime/start(_:logger:)``).
    public static func start(
        _ configuration: ServiceRuntime.Configuration,
        commands: CommandRegistry = CommandRegistry(),
        events: EventHandlerRegistry = EventHandlerRegistry(),
        migrations: (inout DatabaseMigrator) -> Void = { _ in },
        snapshot: SnapshotProvider? = nil,
        context: ZMQContext,
        logLevel: Logger.Level = .critical
    ) async throws -> RunningRuntime {
        var logger = Logger(label: "test.\(configuration.name)")
        logger.logLevel = logLevel
        let runtime = try ServiceRuntime(
            configuration: configuration, commands: commands, events: events,
            migrations: migrations, snapshot: snapshot, context: context, logger: logger)
        return try await start(runtime, logger: logger)
    }

    /// Starts the service `name` as every service's test harness does: `make` (its
    /// `makeRuntime`) builds it from a configuration with its database `<name>.sqlite` in
    /// `directory`, ephemeral loopback ports and `sources`, logging only critical messages.
    public static func start(
        _ name: String, in directory: TemporaryDirectory, sources: [SubscriptionSource] = [], context: ZMQContext,
        make: (ServiceRuntime.Configuration, ZMQContext, Logger) throws -> ServiceRuntime
    ) async throws -> RunningRuntime {
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .critical
        var configuration = ServiceRuntime.Configuration(name: name, databasePath: directory.file("\(name).sqlite"), endpoints: .ephemeral)
        configuration.sources = sources
        return try await start(try make(configuration, context, logger), logger: logger)
    }
}

extension RunningRuntime {
    /// The service's whole event log as published (envelope bytes), oldest first.
    public func loggedEnvelopes() throws -> [Data] {
        try runtime.store.database.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM outbox ORDER BY sequence")
        }
    }

    /// The service's logged events of one type, decoded, oldest first.
    public func loggedEvents<Payload: Codable & Sendable>(_ type: String, as: Payload.Type = Payload.self) throws -> [EventEnvelope<Payload>] {
        try runtime.store.database.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT envelope FROM outbox WHERE type = ? ORDER BY sequence", arguments: [type])
        }.map { try ContractCoding.decode(EventEnvelope<Payload>.self, from: $0) }
    }
}
