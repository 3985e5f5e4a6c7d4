import GRDB
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

// Steps 2 and 3 of docs/ADDING_A_SERVICE.md: the composition root, the handlers, the tables.

enum GreetingsService {
    static let name = GreetingsEvent.source
    static let sources = [IdentityEvent.source]

    static func commands() -> CommandRegistry {
        var registry = CommandRegistry()
        registry.register(GetGreeting.self) { input, context in try greeting(of: input.customerId, in: context.db) }
        registry.register(ResendGreeting.self) { input, context in
            var greeting = try greeting(of: input.customerId, in: context.db)
            greeting.times += 1
            try context.db.execute(sql: "UPDATE greeting SET times = ? WHERE customerId = ?", arguments: [greeting.times, greeting.customerId])
            try context.emit(GreetingsEvent.GreetingSent(customerId: greeting.customerId, times: greeting.times),
                             customerId: greeting.customerId)
            return greeting
        }
        return registry
    }

    static func events() -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        registry.on(IdentityEvent.CustomerCreated.self) { event, context in
            try context.db.execute(sql: "INSERT OR IGNORE INTO greeting (customerId, times) VALUES (?, 1)",
                                   arguments: [event.data.customerId])
            try context.emit(GreetingsEvent.GreetingSent(customerId: event.data.customerId, times: 1), customerId: event.data.customerId)
        }
        registry.on(IdentityEvent.CustomersMerged.self) { event, context in
            // The survivor keeps its own greeting; the merged-away one's goes.
            try context.db.execute(sql: "DELETE FROM greeting WHERE customerId = ?", arguments: [event.data.mergedId])
        }
        registry.on(IdentityEvent.CustomerErased.self) { event, context in
            try context.db.execute(literal: "DELETE FROM greeting WHERE customerId IN \(event.data.erasedIds)")
        }
        registry.ignoreUnhandled(IdentityEvent.all)
        return registry
    }

    static func makeRuntime(configuration: ServiceRuntime.Configuration, context: ZMQContext, logger: Logger) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the greetings service must be named \(name)")
        return try ServiceRuntime(
            configuration: configuration, commands: commands(), events: events(),
            migrations: { migrator in
                migrator.registerMigration("greetings-v1") { db in
                    try db.create(table: "greeting") { table in
                        table.primaryKey("customerId", .text)
                        table.column("times", .integer).notNull()
                    }
                }
            },
            context: context, logger: logger)
    }

    static func greeting(of customerId: String, in db: Database) throws -> Greeting {
        guard let times = try Int.fetchOne(db, sql: "SELECT times FROM greeting WHERE customerId = ?", arguments: [customerId]) else {
            throw OmnibusError(.notFound, "no greeting for \(customerId)")
        }
        return Greeting(customerId: customerId, text: "Welcome!", times: times)
    }
}
