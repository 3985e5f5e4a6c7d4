import Foundation
import GRDB
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport

/// The test producer's event.
struct Note: EventContract, Equatable {
    static let source = "alpha"
    static let type = "note.added"
    var index: Int
    var text: String
}

/// The test producer's command: emit `count` notes, or fail if `fail` is set (after emitting,
/// to prove a failed command leaves nothing behind).
struct AddNotes: CommandContract {
    typealias Reply = AddedNotes
    static let name = "alpha.add_notes"
    var count: Int
    var text: String
    var fail: Bool?
}

struct AddedNotes: Codable, Sendable, Equatable {
    var sequences: [Int64]
}

/// A producer ("alpha") and a consumer ("omega") built on the real runtime, with real
/// SQLite files in a temporary directory and ephemeral loopback ports.
enum Fixture {
    static func producer(
        in directory: TemporaryDirectory, context: ZMQContext,
        configure: (inout ServiceRuntime.Configuration) -> Void = { _ in }
    ) async throws -> RunningRuntime {
        var commands = CommandRegistry()
        commands.register(AddNotes.self) { input, context in
            guard input.count >= 0 && input.count <= 10_000 else {
                throw OmnibusError(.invalidArgument, "count must be 0 to 10000")
            }
            let sequences = try (0..<input.count).map { index in
                try context.emit(Note(index: index, text: input.text))
            }
            if input.fail == true { throw OmnibusError(.conflict, "asked to fail") }
            return AddedNotes(sequences: sequences)
        }
        var configuration = ServiceRuntime.Configuration(
            name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configure(&configuration)
        return try await RunningRuntime.start(configuration, commands: commands, context: context)
    }

    /// Runs `body` with a started producer and stops it however `body` ends.
    static func withProducer<Result>(
        in directory: TemporaryDirectory, context: ZMQContext,
        configure: (inout ServiceRuntime.Configuration) -> Void = { _ in },
        _ body: (RunningRuntime) async throws -> Result
    ) async throws -> Result {
        try await scoped(try await producer(in: directory, context: context, configure: configure), stop: { try await $0.stop() }, body)
    }

    /// A consumer that writes every applied note to `note`, without any uniqueness
    /// constraint, so an event applied twice would show as two rows.
    static func consumer(
        in directory: TemporaryDirectory, context: ZMQContext, sources: [SubscriptionSource],
        onNote: @escaping @Sendable (EventEnvelope<Note>) throws -> Void = { _ in },
        configure: (inout ServiceRuntime.Configuration) -> Void = { _ in }
    ) async throws -> RunningRuntime {
        var events = EventHandlerRegistry()
        events.on(Note.self) { event, context in
            try onNote(event)
            try context.db.execute(
                sql: "INSERT INTO note (source, sequence, eventId, noteIndex) VALUES (?, ?, ?, ?)",
                arguments: [event.source, event.sequence, event.id, event.data.index])
        }
        var configuration = ServiceRuntime.Configuration(
            name: "omega", databasePath: directory.file("omega.sqlite"), endpoints: .ephemeral)
        configuration.sources = sources
        configure(&configuration)
        return try await RunningRuntime.start(
            configuration, events: events,
            migrations: { migrator in
                migrator.registerMigration("notes") { db in
                    try db.execute(sql: "CREATE TABLE note (source TEXT, sequence INTEGER, eventId TEXT, noteIndex INTEGER)")
                }
            },
            context: context)
    }

    /// Appends `count` notes straight to the producer's outbox, `batch` per transaction.
    static func append(_ count: Int, to producer: RunningRuntime, batch: Int = 500, text: String = "n") throws {
        var done = 0
        while done < count {
            let size = min(batch, count - done)
            try producer.runtime.store.append((done..<done + size).map {
                PendingEvent(Note(index: $0, text: text))
            })
            done += size
        }
    }

    static func noteCount(_ service: RunningRuntime) throws -> Int {
        try service.runtime.store.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM note") ?? 0 }
    }

    /// The (sequence, event id) of every applied note, in the order applied.
    static func appliedNotes(_ service: RunningRuntime) throws -> [[String]] {
        try service.runtime.store.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, eventId FROM note ORDER BY rowid").map {
                [String(($0["sequence"] as Int64)), $0["eventId"] as String]
            }
        }
    }

    /// The (sequence, event id) of every event in the producer's outbox.
    static func outbox(_ service: RunningRuntime) throws -> [[String]] {
        try service.runtime.store.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, eventId FROM outbox WHERE type = ? ORDER BY sequence", arguments: [Note.type]).map {
                [String(($0["sequence"] as Int64)), $0["eventId"] as String]
            }
        }
    }

    /// Sends one replay request's `body` from a new DEALER and returns the reply's frames
    /// (none when no reply came within 5 s).
    static func replay(_ body: Data, at endpoint: String, context: ZMQContext) async throws -> [Data] {
        try await blocking {
            let dealer = try ZMQSocket(context: context, type: .dealer)
            try dealer.connect(endpoint)
            try dealer.send([body])
            guard try dealer.waitForInput(timeoutMilliseconds: 5_000) else { return [Data]() }
            return try dealer.receive() ?? []
        }
    }

    /// Sends one command and returns its reply.
    static func command<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ request: CommandRequest<Input>, to service: RunningRuntime, context: ZMQContext, expecting: Output.Type = Output.self
    ) async throws -> CommandReply<Output> {
        let endpoint = service.endpoints.commands
        return try await blocking {
            try BlockingCommandClient(context: context, endpoint: endpoint).send(request, expecting: Output.self)
        }
    }
}
