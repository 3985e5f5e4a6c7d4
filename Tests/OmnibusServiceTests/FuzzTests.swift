import Foundation
import MetricsTestKit
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

@Suite("Garbage on every socket", .timeLimit(.minutes(5)))
struct FuzzTests {
    static let commandInputs = 4000
    static let replayInputs = 3000
    static let subscriberInputs = 3000

    @Test func servicesAnswerOrDropGarbageAndKeepServing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let metrics = TestMetrics()
        let producer = try await Fixture.producer(in: directory, context: context) { $0.metricsFactory = metrics }
        let rogue = try RoguePublisher(context: context)
        let consumer = try await Fixture.consumer(
            in: directory, context: context, sources: [producer.asSource, rogue.source], configure: { $0.metricsFactory = metrics })

        // Commands: every malformed request gets an error reply.
        let commandEndpoint = producer.endpoints.commands
        let commandReplies = try await blocking {
            var garbage = Garbage(seed: 1)
            let client = try BlockingCommandClient(context: context, endpoint: commandEndpoint)
            var codes: [String: Int] = [:]
            for index in 0..<Self.commandInputs + 1 {
                let frames = index == Self.commandInputs ? [Data(repeating: 0x7B, count: 10 << 20)] : garbage.request(kind: index)
                guard let reply = try client.sendRaw(frames).map(Self.withoutDelimiter), reply.count == 1,
                      let decoded = try? ContractCoding.decode(CommandReply<Empty>.self, from: reply[0]), !decoded.ok
                else { continue }
                codes[decoded.error?.code.rawValue ?? "none", default: 0] += 1
            }
            return codes
        }
        #expect(commandReplies.values.reduce(0, +) == Self.commandInputs + 1, "every input got an error reply: \(commandReplies)")
        #expect(commandReplies["too_large"] == 1)
        #expect(commandReplies["unknown_command"] == (0..<Self.commandInputs).filter { $0 % 6 == 3 }.count)

        // Replay: every malformed request gets a reply header carrying an error.
        let replayEndpoint = producer.endpoints.replay
        let replayErrors = try await blocking {
            var garbage = Garbage(seed: 2)
            let client = try BlockingCommandClient(context: context, endpoint: replayEndpoint)
            var errors = 0
            for index in 0..<Self.replayInputs + 1 {
                let frames = index == Self.replayInputs ? [Data(repeating: 0x20, count: 10 << 20)] : garbage.request(kind: index)
                guard let reply = try client.sendRaw(frames).map(Self.withoutDelimiter), let first = reply.first,
                      let header = try? ContractCoding.decode(ReplayReplyHeader.self, from: first), header.error != nil
                else { continue }
                errors += 1
            }
            return errors
        }
        #expect(replayErrors == Self.replayInputs + 1)

        // Subscriber: garbage on a subscribed topic is dropped and counted.
        try await rogue.publishGarbage(count: Self.subscriberInputs)
        let subscriberRejections = { Self.total(metrics, endpoint: "subscriber", service: "omega") }
        try await eventually("subscriber counted every rogue message") { subscriberRejections() >= Self.subscriberInputs }
        #expect(subscriberRejections() == Self.subscriberInputs)
        #expect(Self.total(metrics, endpoint: "commands", service: "alpha") == Self.commandInputs + 1)
        #expect(Self.total(metrics, endpoint: "replay", service: "alpha") == Self.replayInputs + 1)

        // And both services still do their work.
        try Fixture.append(100, to: producer)
        try await eventually("real events still applied") { try Fixture.noteCount(consumer) == 100 }
        let health = try await Fixture.command(
            CommandRequest(id: "after-fuzz", command: GetHealth.name, data: Empty()), to: producer, context: context,
            expecting: HealthReport.self)
        #expect(try health.get().head == 100)
        try await consumer.stop()
        try await producer.stop()
    }

    /// A request whose first frame is empty reads as REQ-style, and its reply carries that
    /// delimiter back (docs/PROTOCOL.md); the body follows it.
    static func withoutDelimiter(_ frames: [Data]) -> [Data] {
        frames.count > 1 && frames[0].isEmpty ? Array(frames.dropFirst()) : frames
    }

    static func total(_ metrics: TestMetrics, endpoint: String, service: String) -> Int {
        metrics.counters(label: "omnibus_rejected_messages_total")
            .filter { counter in
                counter.dimensions.contains { $0 == ("endpoint", endpoint) } && counter.dimensions.contains { $0 == ("service", service) }
            }
            .reduce(0) { $0 + Int($1.totalValue) }
    }
}

/// A publisher the consumer subscribes to as source "rogue", which sends only garbage.
/// An XPUB, so the test knows when the consumer's subscription has arrived.
final class RoguePublisher: Sendable {
    let source: SubscriptionSource
    private let publisher: HandedOver

    /// The XPUB, bound here so that its port is never free for anything else to take (a port
    /// reserved by binding and closing could be reused, or connected to itself, before the
    /// publisher bound it again). Used by one thread at a time: bound here, then used only by
    /// ``publishGarbage(count:)``.
    private final class HandedOver: @unchecked Sendable {
        let socket: ZMQSocket
        init(_ socket: ZMQSocket) { self.socket = socket }
    }

    init(context: ZMQContext) throws {
        let socket = try ZMQSocket(context: context, type: .xpublisher)
        try socket.setSendHighWaterMark(0)
        try socket.bind("tcp://127.0.0.1:*")
        let events = try socket.lastEndpoint
        // Nobody answers replay requests here: the consumer's replay of "rogue" just times out.
        let probe = try ZMQSocket(context: context, type: .router)
        try probe.bind("tcp://127.0.0.1:*")
        let replay = try probe.lastEndpoint
        probe.close()
        source = SubscriptionSource(name: "rogue", events: events, replay: replay)
        publisher = HandedOver(socket)
    }

    func publishGarbage(count: Int) async throws {
        let publisher = publisher
        try await blocking {
            let socket = publisher.socket
            // The first message an XPUB reads is a subscriber's subscription: then it is listening.
            // Generous: on a loaded machine the consumer may be between reconnection attempts.
            guard try socket.waitForInput(timeoutMilliseconds: 30_000), try socket.receive() != nil else {
                throw TimedOut(description: "the consumer never subscribed to the rogue publisher")
            }
            var garbage = Garbage(seed: 3)
            let mislabelled = #"{"id":"e","source":"other","sequence":1,"type":"x","schemaVersion":1,"occurredAt":"2026-01-01T00:00:00Z","data":{}}"#
            for index in 0..<count {
                let frames: [Data]
                switch index % 5 {
                case 0: frames = [Data("rogue.thing".utf8), garbage.bytes(garbage.int(1...500))]
                case 1: frames = [Data("rogue._heartbeat".utf8), garbage.bytes(garbage.int(1...50))]
                case 2: frames = [Data("rogue.thing".utf8)]
                case 3: frames = [Data("rogue.thing".utf8), Data(), Data()]
                default: frames = [Data("rogue.thing".utf8), Data(mislabelled.utf8)]
                }
                try socket.send(frames)
            }
            socket.close()  // LINGER lets the queued messages go out first
        }
    }
}
