import Foundation
import Logging
import Metrics
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import Testing

/// What a subscriber makes of each live message, read from the topic's bytes.
@Suite struct LiveMessageTests {
    static func envelope(source: String = "rogue", type: String = "thing", sequence: Int64 = 1) -> Data {
        EnvelopeWriter.write(
            id: "e-\(sequence)", source: source, sequence: sequence, type: type, schemaVersion: 1,
            occurredAt: Timestamp(millisecondsSince1970: 0), customerId: nil, channel: nil, correlationId: nil,
            causationId: nil, data: Data("{}".utf8))
    }

    /// Routes `frames` to a stream of source `rogue` that has applied nothing yet and has
    /// heard the source's log epoch (unless `epochHeard` is false).
    static func route(_ frames: [Data], epochHeard: Bool = true) throws -> (Result<ReceivedEvent?, LiveMessage.Rejection>, SourceStream) {
        let context = try ZMQContext()
        let source = SubscriptionSource(name: "rogue", events: "tcp://127.0.0.1:9", replay: "tcp://127.0.0.1:9")
        let stream = try SourceStream(
            source: source, applied: 0, context: context, logger: Logger(label: "test"),
            metrics: MetricsRecorder(service: "test", factory: NOOPMetricsHandler.instance))
        if epochHeard {
            let heartbeat = Heartbeat(source: "rogue", head: 0, time: .now(), epoch: LogEpoch(id: "epo_1", startsAfter: 0))
            _ = LiveMessage.route([Data("rogue._heartbeat".utf8), try ContractCoding.encode(heartbeat)], to: [stream])
        }
        return (LiveMessage.route(frames, to: [stream]), stream)
    }

    @Test("a live event is not taken before the source's log epoch is heard: it may come from a restored log")
    func waitsForTheEpoch() throws {
        let (result, _) = try Self.route([Data("rogue.thing".utf8), Self.envelope()], epochHeard: false)
        #expect(try result.get() == nil, "replay brings it once the epoch is known")
    }

    @Test func takesAnEventWhoseTopicMatchesItsSourceAndType() throws {
        let (result, _) = try Self.route([Data("rogue.thing".utf8), Self.envelope()])
        let event = try #require(try result.get())
        #expect(event.header.type == "thing" && event.header.sequence == 1)
    }

    @Test(arguments: [
        ("rogue.other", "invalid_event"),       // the type in the topic is not the envelope's
        ("rogue.thing.more", "invalid_event"),
        ("rogue.", "invalid_event"),
        ("rogue", "wrong_frames"),              // no dot: no source
        ("stranger.thing", "wrong_frames"),     // a source this subscriber does not follow
        ("", "wrong_frames"),
        ("rogues.thing", "wrong_frames"),       // a longer source name that starts the same
    ])
    func refusesAMislabelledTopic(topic: String, reason: String) throws {
        let (result, _) = try Self.route([Data(topic.utf8), Self.envelope()])
        #expect(throws: LiveMessage.Rejection.self) { try result.get() }
        if case .failure(let rejection) = result { #expect(rejection.reason == reason) }
    }

    @Test func refusesATopicThatIsNotUTF8() throws {
        let (result, _) = try Self.route([Data([0xFF, 0xFE, UInt8(ascii: "."), UInt8(ascii: "x")]), Self.envelope()])
        if case .failure(let rejection) = result { #expect(rejection.reason == "wrong_frames") } else { Issue.record("accepted") }
    }

    @Test func aHeartbeatMovesTheKnownHeadAndIsNoEvent() throws {
        let heartbeat = try ContractCoding.encode(Heartbeat(source: "rogue", head: 77, time: .now()))
        let (result, stream) = try Self.route([Data("rogue._heartbeat".utf8), heartbeat])
        #expect(try result.get() == nil)
        #expect(stream.progress.head == 77)

        let foreign = try ContractCoding.encode(Heartbeat(source: "other", head: 5, time: .now()))
        let (refused, _) = try Self.route([Data("rogue._heartbeat".utf8), foreign])
        if case .failure(let rejection) = refused { #expect(rejection.reason == "invalid_heartbeat") } else { Issue.record("accepted") }
    }
}
