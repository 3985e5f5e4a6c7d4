import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// The bus as an AsyncSequence: a bounded buffer whose overflow is a gap replay repairs, and
/// a loop that ends cleanly when its task is cancelled.
@Suite("Bus events as an AsyncSequence", .timeLimit(.minutes(2)))
struct BusEventsTests {
    @Test func aReaderThatStopsReadingMissesNothingOnceItReadsAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context, configure: { $0.relay.sendHighWaterMark = 10 }) { producer in
            var options = BusEvents.Options()
            options.bufferSize = 10
            options.reading.receiveHighWaterMark = 10
            options.reading.receiveBufferBytes = 16 << 10
            options.threadName = "events-slow-test"
            var events = BusEvents(sources: [producer.asSource], context: context, logger: Logger(label: "test.events"), options: options)
                .makeAsyncIterator()
            try Fixture.append(1, to: producer)
            var sequences: [Int64] = []
            var gaps = 0
            while sequences.last != 1, let item = try await events.next() {
                if case .event(let event) = item { sequences.append(event.header.sequence) }
            }

            // The reader stops reading while far more is published than the buffer and libzmq's
            // queues hold.
            let total: Int64 = 1 + 20_000
            try Fixture.append(20_000, to: producer, text: String(repeating: "p", count: 1000))
            try await eventually("relay published everything") { producer.runtime.relay.publishedThrough == total }

            while sequences.last != total, let item = try await events.next() {
                switch item {
                case .event(let event): sequences.append(event.header.sequence)
                case .gapRepaired: gaps += 1
                case .caughtUp, .snapshot: continue
                }
            }
            #expect(sequences == Array(1...total), "every event once, in order")
            #expect(gaps > 0, "what overflowed while nobody read was dropped and repaired by replay")
        }
    }

    @Test func cancellingTheReadingTaskClosesTheSocketsAndEndsTheThread() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            let eventsPort = try #require(Int(producer.endpoints.events.split(separator: ":").last ?? ""))
            var options = BusEvents.Options()
            options.threadName = "events-cancel-test"
            let events = BusEvents(sources: [producer.asSource], context: context, logger: Logger(label: "test.events"), options: options)
            let reader = Task {
                var count = 0
                for try await item in events { if case .event = item { count += 1 } }
                return count
            }
            try Fixture.append(3, to: producer)
            try await eventually("the reader is subscribed") {
                ThreadCensus.count(named: "events-cancel-test") == 1 && TCPConnections.established(toPort: eventsPort) == 1
            }
            reader.cancel()
            _ = try await reader.value
            try await eventually("the reader's thread is gone") { ThreadCensus.count(named: "events-cancel-test") == 0 }
            try await eventually("its subscription is closed") { TCPConnections.established(toPort: eventsPort) == 0 }
        }
    }

    @Test func aLoopMayEndWithItemsStillBuffered() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            try Fixture.append(200, to: producer)
            var options = BusEvents.Options()
            options.bufferSize = 10
            options.threadName = "events-early-test"
            let events = BusEvents(sources: [producer.asSource], context: context, logger: Logger(label: "test.events"), options: options)
            var first: Int64?
            for try await item in events {
                guard case .event(let event) = item else { continue }
                first = event.header.sequence
                break  // as `tail --count 1` does, with the buffer full behind it
            }
            #expect(first == 1)
            // The tap's thread ends and its buffer goes away with items never read: no trap.
            try await eventually("the tap's thread is gone") { ThreadCensus.count(named: "events-early-test") == 0 }
        }
    }
}
