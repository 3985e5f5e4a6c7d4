import Dispatch
import Foundation
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

@Suite("Delivery: nothing lost, nothing twice", .timeLimit(.minutes(3)))
struct DeliveryTests {
    @Test func lateJoinerGetsEveryEventPublishedBeforeItStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        try Fixture.append(1000, to: producer)
        try await eventually("relay published 1000") { producer.runtime.relay.publishedThrough == 1000 }

        // Chunks of 100: catching up takes ten replies, none of which is a gap.
        let consumer = try await Fixture.consumer(
            in: directory, context: context, sources: [producer.asSource],
            configure: { configuration in configuration.subscriber.reading.replayBatch = 100 })
        // Progress is published after the commit, so once it says 1000 the rows are there.
        try await eventually("consumer applied 1000") { consumer.runtime.subscriber?.progress["alpha"]?.applied == 1000 }

        #expect(try Fixture.appliedNotes(consumer) == Fixture.outbox(producer))
        #expect(consumer.runtime.subscriber?.progress["alpha"]?.gapsRepaired == 0, "a log with no holes has no gaps")
        try await consumer.stop()
        try await producer.stop()
    }

    @Test func slowSubscriberRepairsWhatZeroMQDropped() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context) { configuration in
            configuration.relay.sendHighWaterMark = 10
        }
        // The handler holds the subscriber on the second note until the test opens the gate,
        // so everything published meanwhile must overflow the tiny queues.
        let gate = DispatchSemaphore(value: 0)
        let consumer = try await Fixture.consumer(
            in: directory, context: context, sources: [producer.asSource],
            onNote: { note in if note.sequence == 2 { gate.wait() } },
            configure: { configuration in
                configuration.subscriber.reading.receiveHighWaterMark = 10
                configuration.subscriber.reading.receiveBufferBytes = 16 << 10
            })
        try Fixture.append(1, to: producer)
        try await eventually("first note applied live") { try Fixture.noteCount(consumer) == 1 }

        let total = 1 + 20_000
        try Fixture.append(20_000, to: producer, text: String(repeating: "p", count: 1000))
        try await eventually("relay published everything") { producer.runtime.relay.publishedThrough == Int64(total) }
        gate.signal()
        try await eventually("consumer caught up") { consumer.runtime.subscriber?.progress["alpha"]?.applied == Int64(total) }

        #expect(try Fixture.appliedNotes(consumer) == Fixture.outbox(producer))
        let progress = try #require(consumer.runtime.subscriber?.progress["alpha"])
        #expect(progress.applied == Int64(total))
        #expect(progress.gapsRepaired > 0, "messages were dropped by ZeroMQ and repaired by replay")
        try await consumer.stop()
        try await producer.stop()
    }

    @Test func consumerRestartResumesFromItsCommittedOffset() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        var consumer = try await Fixture.consumer(in: directory, context: context, sources: [producer.asSource])
        try Fixture.append(300, to: producer)
        try await eventually("first 300 applied") { try Fixture.noteCount(consumer) == 300 }
        try await consumer.stop()

        try Fixture.append(300, to: producer)
        consumer = try await Fixture.consumer(in: directory, context: context, sources: [producer.asSource])
        try await eventually("all 600 applied") { try Fixture.noteCount(consumer) >= 600 }
        #expect(try Fixture.appliedNotes(consumer) == Fixture.outbox(producer))
        try await consumer.stop()
        try await producer.stop()
    }
}
