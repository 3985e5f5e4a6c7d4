import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// A source whose event log lost what a subscriber already applied (restored from an old
/// backup, recreated) must be loud, not silent.
@Suite("A source behind its subscriber")
struct SourceResetTests {
    @Test("a subscriber ahead of its source's log says so as a critical log line and applies nothing")
    func sourceBehindSubscriber() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        try Fixture.append(5, to: producer)

        // The consumer's database says it applied 100 events of a source that has 5.
        let path = directory.file("ahead.sqlite")
        try await ServiceDatabase(path: path).pool.write { db in
            try InboxOffsets.save(source: "alpha", appliedThrough: 100, in: db)
        }
        let capture = LogCapture()
        let logger = capture.logger(label: "test.ahead", level: .warning)
        var configuration = ServiceRuntime.Configuration(name: "ahead", databasePath: path, endpoints: .ephemeral)
        configuration.sources = [producer.asSource]
        var events = EventHandlerRegistry()
        events.ignore([Note.self])
        let consumer = try await RunningRuntime.start(
            try ServiceRuntime(configuration: configuration, events: events, context: context, logger: logger), logger: logger)

        try await eventually("the reset is reported") {
            capture.all.contains { $0.level == .critical && $0.message.contains("event log was reset or restored") }
        }
        #expect(consumer.runtime.subscriber?.progress["alpha"]?.applied == 100, "nothing is applied over a log it cannot trust")
        try await consumer.stop()
        try await producer.stop()
    }
}
