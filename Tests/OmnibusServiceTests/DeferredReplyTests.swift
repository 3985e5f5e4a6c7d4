import Foundation
import MetricsTestKit
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Synchronization
import Testing

/// A command whose reply waits on other work: the caller waits, a resend waits for the same
/// reply, the reply is stored once given, and the metrics say pending, then the outcome.
@Suite struct DeferredReplyTests {
    struct SlowAsk: CommandContract {
        typealias Reply = SlowAnswer
        static let name = "alpha.slow.ask"
        var key: String
    }

    struct SlowAnswer: Codable, Sendable, Equatable {
        var text: String
    }

    @Test("the caller waits for the deferred reply, a resend waits for the same one, and once given it is stored")
    func deferredReply() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let metrics = TestMetrics()
        var commands = CommandRegistry()
        let asked = Counter()
        commands.registerDeferred(SlowAsk.self) { input, _ in
            asked.increment()
            return .pending(key: input.key)
        }
        var configuration = ServiceRuntime.Configuration(name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configuration.metricsFactory = metrics
        let service = try await RunningRuntime.start(configuration, commands: commands, context: context)
        let sender = CommandSender(endpoint: service.endpoints.commands, context: context, timeoutMilliseconds: 30_000)

        // Each waiting client also resends its request every second (same socket, same id): the
        // server replaces that caller's wait rather than adding one, and counts each as pending.
        let first = Task { try await sender.call(SlowAsk(key: "k1"), id: "r1") }
        try await eventually("the command is pending") { Self.count(metrics, outcome: "pending") >= 1 }
        let before = asked.value
        let second = Task { try await sender.call(SlowAsk(key: "k1"), id: "r1") }
        try await eventually("the resend from another client is pending too") { asked.value > before }

        let reply = try ContractCoding.encode(CommandReply(requestId: "r1", data: SlowAnswer(text: "done")))
        try service.runtime.store.write { db in
            try service.runtime.deferredReplies.record(requestId: "r1", command: SlowAsk.name, reply: reply, in: db)
        }
        service.runtime.deferredReplies.complete("k1", reply: reply)
        #expect(try await first.value == SlowAnswer(text: "done"))
        #expect(try await second.value == SlowAnswer(text: "done"))
        #expect(try await sender.call(SlowAsk(key: "k1"), id: "r1") == SlowAnswer(text: "done"), "stored: a later retry gets it at once")
        let asks = asked.value
        #expect(try await sender.call(SlowAsk(key: "k1"), id: "r1") == SlowAnswer(text: "done"))
        #expect(asked.value == asks, "the stored reply answers without the handler")
        #expect(Self.count(metrics, outcome: "ok") == 1)
        // The two later calls, and any resend of the waiting clients that arrived after the
        // reply was stored, are answered from the store.
        #expect(Self.count(metrics, outcome: "repeated") >= 2)
        try await service.stop()
    }

    @Test("with CURVE a deferred request id belongs to its sender: another principal gets conflict, while pending and after")
    func deferredReplyBelongsToItsSender() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pairs = try Dictionary(uniqueKeysWithValues: ["alpha", "web", "app"].map { ($0, try CurveKeyPair.generate()) })
        let policy = BusPolicy(principals: [
            "alpha": .init(kind: .service, commands: [], reads: []),
            "web": .init(kind: .channel, commands: ["alpha.*"], reads: []),
            "app": .init(kind: .channel, commands: ["alpha.*"], reads: []),
        ])
        var configuration = ServiceRuntime.Configuration(name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configuration.access = BusAccess(keys: KeyFolder(path: directory.path, publicKeys: pairs.mapValues(\.publicKey)), policy: policy)
        var commands = CommandRegistry()
        commands.registerDeferred(SlowAsk.self) { input, _ in .pending(key: input.key) }
        let service = try await RunningRuntime.start(
            configuration, commands: commands, context: try ZMQContext(curve: CurveSecurity(keys: pairs["alpha"]!, serverKeys: [:])))
        func sender(_ principal: String) throws -> CommandSender {
            let curve = CurveSecurity(keys: pairs[principal]!, serverKeys: [:], defaultServerKey: pairs["alpha"]!.publicKey)
            return CommandSender(endpoint: service.endpoints.commands, context: try ZMQContext(curve: curve), timeoutMilliseconds: 30_000)
        }
        let (web, app) = (try sender("web"), try sender("app"))

        let waiting = Task { try await web.call(SlowAsk(key: "k1"), channel: nil, id: "r1") }
        try await eventually("web's request is pending") {
            try service.runtime.store.database.pool.read { db in
                try String.fetchOne(db, sql: "SELECT principal FROM pendingRequestOwner WHERE requestId = 'r1'") == "web"
            }
        }
        #expect(try await app.send(SlowAsk(key: "k1"), channel: nil, id: "r1").error?.code == .conflict,
                "app cannot wait for web's reply")
        let reply = try ContractCoding.encode(CommandReply(requestId: "r1", data: SlowAnswer(text: "web's order")))
        try service.runtime.store.write { db in
            try service.runtime.deferredReplies.record(requestId: "r1", command: SlowAsk.name, reply: reply, in: db)
        }
        service.runtime.deferredReplies.complete("k1", reply: reply)
        #expect(try await waiting.value == SlowAnswer(text: "web's order"))
        #expect(try await app.send(SlowAsk(key: "k1"), channel: nil, id: "r1").error?.code == .conflict,
                "the stored reply is web's")
        #expect(try await web.call(SlowAsk(key: "k1"), channel: nil, id: "r1") == SlowAnswer(text: "web's order"))
        try await service.stop()
    }

    static func count(_ metrics: TestMetrics, outcome: String) -> Int {
        metrics.counters(label: "omnibus_commands_total")
            .filter { $0.dimensions.contains { $0 == ("command", SlowAsk.name) } && $0.dimensions.contains { $0 == ("outcome", outcome) } }
            .reduce(0) { $0 + Int($1.totalValue) }
    }

    /// A count the handler's thread and the test share.
    final class Counter: Sendable {
        private let storage = Mutex(0)
        func increment() { storage.withLock { $0 += 1 } }
        var value: Int { storage.withLock { $0 } }
    }
}
