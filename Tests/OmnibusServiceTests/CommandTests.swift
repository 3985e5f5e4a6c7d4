import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

@Suite("Commands: idempotent, atomic, clear errors", .timeLimit(.minutes(2)))
struct CommandTests {
    @Test func retriedCommandRepliesTheSameAndAppliesOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        let request = CommandRequest(id: "req-1", command: AddNotes.name, channel: "app", data: AddNotes(count: 3, text: "hi"))

        let first = try await Fixture.command(request, to: producer, context: context, expecting: AddedNotes.self)
        let retry = try await Fixture.command(request, to: producer, context: context, expecting: AddedNotes.self)

        #expect(try first.get() == AddedNotes(sequences: [1, 2, 3]))
        #expect(retry == first)
        #expect(try producer.runtime.store.head() == 3)
        let events = try Fixture.outbox(producer)
        #expect(events.count == 3)

        let reused = CommandRequest(id: "req-1", command: GetHealth.name, data: Empty())
        let conflict = try await Fixture.command(reused, to: producer, context: context, expecting: Empty.self)
        #expect(conflict.error?.code == .conflict)
        try await producer.stop()
    }

    @Test func failedCommandLeavesNothingBehindAndItsRetryGetsTheSameError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        let failing = CommandRequest(id: "req-f", command: AddNotes.name, data: AddNotes(count: 5, text: "x", fail: true))

        let reply = try await Fixture.command(failing, to: producer, context: context, expecting: AddedNotes.self)
        let retry = try await Fixture.command(failing, to: producer, context: context, expecting: AddedNotes.self)

        #expect(reply.error == OmnibusError(.conflict, "asked to fail"))
        #expect(retry == reply)
        #expect(try producer.runtime.store.head() == 0, "the five events emitted before the failure were rolled back")
        try await producer.stop()
    }

    @Test func badCommandsGetClearErrorCodes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        func send<T: Codable & Sendable>(_ request: CommandRequest<T>) async throws -> OmnibusError? {
            try await Fixture.command(request, to: producer, context: context, expecting: Empty.self).error
        }
        #expect(try await send(CommandRequest(id: "a", command: "alpha.nope", data: Empty()))?.code == .unknownCommand)
        #expect(try await send(CommandRequest(id: "b", command: AddNotes.name, version: 9, data: AddNotes(count: 1, text: "")))?.code == .unsupportedVersion)
        #expect(try await send(CommandRequest(id: "c", command: AddNotes.name, data: ["count": "many"]))?.code == .invalidArgument)
        #expect(try await send(CommandRequest(id: "d", command: AddNotes.name, data: AddNotes(count: -1, text: "")))?.code == .invalidArgument)
        #expect(try await send(CommandRequest(id: "", command: AddNotes.name, data: AddNotes(count: 1, text: "")))?.code == .invalidRequest)
        let unknown = try #require(try await send(CommandRequest(id: "e", command: "alpha.nope", data: Empty())))
        #expect(unknown.message.contains("alpha.add_notes"), "the error lists the known commands")
        let refused = try await Fixture.command(
            CommandRequest(id: "f", command: "alpha.nope", data: Empty()), to: producer, context: context, expecting: Empty.self)
        #expect(refused.requestId == "f", "a refused request's reply still names it, so clients can match it")
        #expect(try producer.runtime.store.head() == 0)
        try await producer.stop()
    }

    @Test func healthReportsHeadPublishingAndSubscriptions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        let consumer = try await Fixture.consumer(in: directory, context: context, sources: [producer.asSource])
        try Fixture.append(5, to: producer)
        try await eventually("applied") { try Fixture.noteCount(consumer) == 5 }

        func health(_ id: String) async throws -> HealthReport {
            try await Fixture.command(
                CommandRequest(id: id, command: GetHealth.name, data: Empty()), to: consumer, context: context,
                expecting: HealthReport.self
            ).get()
        }
        // Health reads the subscriber's progress, published just after each commit.
        try await eventually("health reports the applied events") { try await health("h1").subscriptions["alpha"]?.applied == 5 }
        let health = try await health("h1")
        #expect(health.service == "omega")
        let storedReplies = try await consumer.runtime.store.database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commandReply") ?? -1
        }
        #expect(storedReplies == 0, "queries are answered afresh and not stored")
        #expect(health.subscriptions["alpha"]?.applied == 5)
        #expect(health.deadLetters == 0)
        try await consumer.stop()
        try await producer.stop()
    }
}

@Suite("Stored replies are kept for the retention window", .timeLimit(.minutes(1)))
struct ReplyRetentionTests {
    @Test func repliesOlderThanTheRetentionAreForgottenAndTheirIdCanBeUsedAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        // A retention of zero: every stored reply is already old at the first prune, which
        // the reply pruner runs when the service starts and then every minute.
        var producer = try await Fixture.producer(in: directory, context: context)
        let request = CommandRequest(id: "once", command: AddNotes.name, data: AddNotes(count: 1, text: "a"))
        #expect(try await Fixture.command(request, to: producer, context: context, expecting: AddedNotes.self).get().sequences == [1])
        try await producer.stop()

        producer = try await Fixture.producer(in: directory, context: context) { $0.commands.replyRetention = .zero }
        try await eventually("the old reply was pruned") {
            try await producer.runtime.store.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commandReply") == 0
            }
        }
        let reused = try await Fixture.command(request, to: producer, context: context, expecting: AddedNotes.self)
        #expect(try reused.get().sequences == [2], "past the retention the id counts as a new request")
        try await producer.stop()
    }

    @Test func beyondTheirSizeTheOldestRepliesGoFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let budget: Int64 = 5_000  // a reply here is about 150 bytes
        let producer = try await Fixture.producer(in: directory, context: context) {
            $0.commands.maxStoredReplyBytes = budget
            $0.replyPruneInterval = .milliseconds(50)
        }
        try await scoped(producer, stop: { try await $0.stop() }) { producer in
            var first: [Int64] = []
            var last: [Int64] = []
            for index in 0..<100 {
                let request = CommandRequest(id: "r\(index)", command: AddNotes.name, data: AddNotes(count: 20, text: "a"))
                let sequences = try await Fixture.command(request, to: producer, context: context, expecting: AddedNotes.self).get().sequences
                if index == 0 { first = sequences }
                last = sequences
            }
            let stored = { @Sendable in
                try await producer.runtime.store.database.pool.read { db in
                    try Int64.fetchOne(db, sql: "SELECT SUM(length(reply)) FROM commandReply") ?? 0
                }
            }
            let kept = { @Sendable in
                try await producer.runtime.store.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commandReply") ?? 0 }
            }
            try await eventually("the stored replies fit their budget") { try await stored() <= budget }
            #expect(try await kept() < 50, "most of the hundred replies went")
            #expect(try await stored() > budget / 2, "only the oldest went")
            let newest = CommandRequest(id: "r99", command: AddNotes.name, data: AddNotes(count: 20, text: "a"))
            #expect(try await Fixture.command(newest, to: producer, context: context, expecting: AddedNotes.self).get().sequences == last,
                    "the newest reply is still kept: the retry is answered the same")
            let oldest = CommandRequest(id: "r0", command: AddNotes.name, data: AddNotes(count: 20, text: "a"))
            #expect(try await Fixture.command(oldest, to: producer, context: context, expecting: AddedNotes.self).get().sequences != first,
                    "the oldest reply went: its id counts as new")
        }
    }
}
