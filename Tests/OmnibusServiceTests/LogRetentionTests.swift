import Foundation
import GRDB
import MetricsTestKit
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// The event log kept within its retention: whole old ranges removed, never what is not yet
/// published nor the newest event, the space given back, and replay saying where the log
/// now starts.
@Suite("Event log retention")
struct LogRetentionTests {
    /// A database with `count` notes of about `bytes` each, the first `published` of them published.
    static func log(in directory: TemporaryDirectory, count: Int, bytes: Int = 100, published: Int64) throws -> EventStore {
        let store = EventStore(source: "alpha", database: try ServiceDatabase(path: directory.file("alpha.sqlite")))
        let text = String(repeating: "x", count: bytes)
        for start in stride(from: 0, to: count, by: 500) {
            try store.append((start..<min(count, start + 500)).map { PendingEvent(Note(index: $0, text: text)) })
        }
        try setPublished(published, in: store)
        return store
    }

    static func setPublished(_ sequence: Int64, in store: EventStore) throws {
        try store.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO relayCursor (id, publishedThrough) VALUES (1, ?)", arguments: [sequence])
        }
    }

    static func trimAll(_ store: EventStore, _ retention: EventRetention) throws -> Int {
        var total = 0
        while true {
            let removed = try store.write { db in try Outbox.trim(retention, now: .now(), chunk: 128, in: db) }
            total += removed
            if removed == 0 { return total }
        }
    }

    static func bounds(_ store: EventStore) throws -> (oldest: Int64?, head: Int64, bytes: Int64, counted: Int64) {
        try store.database.pool.read { db in
            (try Outbox.oldest(in: db), try Outbox.head(in: db),
             try Int64.fetchOne(db, sql: "SELECT SUM(length(envelope)) FROM outbox") ?? 0, try Outbox.size(in: db).bytes)
        }
    }

    @Test("by size: the newest events within the budget stay, and the kept count matches the log")
    func bySize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.log(in: directory, count: 1_000, published: 1_000)
        let before = try Self.bounds(store)
        let budget: Int64 = 50_000
        let removed = try Self.trimAll(store, EventRetention(maxAge: nil, maxBytes: budget))
        let after = try Self.bounds(store)
        #expect(after.head == 1_000, "the head stays")
        #expect(after.oldest == Int64(removed) + 1, "whole old ranges go, oldest first")
        #expect(after.bytes <= budget && after.bytes > budget - 400, "\(after.bytes) bytes kept of \(before.bytes)")
        #expect(after.counted == after.bytes, "the kept count is the log's real size")
    }

    @Test("a log counted for the first time is counted a range per transaction, to its real size")
    func countedInSteps() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.log(in: directory, count: 1_000, published: 1_000)
        let steps = try (1...4).map { _ in try store.write { db in try Outbox.count(atMost: 300, in: db) } }
        #expect(steps == [false, false, false, true], "1,000 events, 300 a step")
        let counted = try store.database.pool.read { db in try Outbox.savedSize(in: db) }
        let actual = try Self.bounds(store).bytes
        #expect(counted.countedThrough == 1_000 && counted.bytes == actual)
    }

    @Test("by age: only events recorded longer ago than the age go")
    func byAge() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.log(in: directory, count: 600, published: 600)
        let hourAgo = Timestamp.now().millisecondsSince1970 - 3_600_000
        try store.write { db in try db.execute(sql: "UPDATE outbox SET recordedAt = ? WHERE sequence <= 300", arguments: [hourAgo]) }
        #expect(try Self.trimAll(store, EventRetention(maxAge: .seconds(600), maxBytes: nil)) == 300)
        #expect(try Self.bounds(store).oldest == 301)
        #expect(try Self.trimAll(store, .forever) == 0)
    }

    @Test("never an event the relay has not published, nor the newest one")
    func keepsUnpublishedAndHead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.log(in: directory, count: 1_000, published: 400)
        let everything = EventRetention(maxAge: nil, maxBytes: 1)
        #expect(try Self.trimAll(store, everything) == 400)
        #expect(try Self.bounds(store).oldest == 401)
        try Self.setPublished(1_000, in: store)
        _ = try Self.trimAll(store, everything)
        let after = try Self.bounds(store)
        #expect(after.oldest == 1_000 && after.head == 1_000, "the newest event stays, so the head is still known")
    }

    @Test("the freed pages go back to the filesystem")
    func givesSpaceBack() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.log(in: directory, count: 10_000, bytes: 1_000, published: 10_000)
        let path = directory.file("alpha.sqlite")
        try Self.checkpoint(store)
        let before = try Self.fileSize(path)
        let trimmer = LogTrimmer(store: store, retention: EventRetention(maxAge: nil, maxBytes: 1 << 20), interval: .seconds(60),
                                 logger: .init(label: "test"), metrics: MetricsRecorder(service: "alpha", factory: TestMetrics()))
        #expect(try await trimmer.trim() > 8_000)
        #expect(try await trimmer.vacuum() > 0)
        try Self.checkpoint(store)
        let after = try Self.fileSize(path)
        #expect(before > 10_000_000 && after < before / 4, "\(before) bytes before, \(after) after")
    }

    static func checkpoint(_ store: EventStore) throws {
        try store.database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    static func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    @Test("replay: before the retained log → out_of_range with where it starts; from there → served")
    func replayAfterTrimming() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            try Fixture.append(100, to: producer)
            let store = producer.runtime.store
            try await Self.published(100, by: producer)
            _ = try Self.trimAll(store, EventRetention(maxAge: nil, maxBytes: 5_000))
            let oldest = try #require(try Self.bounds(store).oldest)
            #expect(oldest > 2)

            let retired = try await Self.replay(#"{"source":"alpha","after":0}"#, at: producer.endpoints.replay, context: context)
            #expect(retired.header.error?.code == .outOfRange)
            #expect(retired.header.oldest == oldest && retired.header.head == 100 && retired.header.eventsRetired)
            let served = try await Self.replay(#"{"source":"alpha","after":\#(oldest - 1)}"#, at: producer.endpoints.replay, context: context)
            #expect(served.header.error == nil && served.header.oldest == oldest)
            #expect(served.events == Int(100 - oldest + 1))
        }
    }

    /// Waits until the relay's saved position (what trimming reads) reaches `sequence`.
    static func published(_ sequence: Int64, by producer: RunningRuntime) async throws {
        try await eventually("the relay has saved that it published through \(sequence)") {
            try producer.runtime.store.database.pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT publishedThrough FROM relayCursor WHERE id = 1") == sequence
            }
        }
    }

    static func replay(_ body: String, at endpoint: String, context: ZMQContext) async throws -> (header: ReplayReplyHeader, events: Int) {
        let frames = try await Fixture.replay(Data(body.utf8), at: endpoint, context: context)
        return (try ContractCoding.decode(ReplayReplyHeader.self, from: try #require(frames.first)), frames.count - 1)
    }

    @Test("a consumer that keeps nothing a snapshot rebuilds skips what retention removed, and counts it as lost")
    func consumerWithoutSnapshotSkipsCounted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let metrics = TestMetrics()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            try Fixture.append(100, to: producer)
            try await Self.published(100, by: producer)
            _ = try Self.trimAll(producer.runtime.store, EventRetention(maxAge: nil, maxBytes: 1))
            let consumer = try await Fixture.consumer(
                in: directory, context: context, sources: [producer.asSource],
                configure: { $0.metricsFactory = metrics })
            try await scoped(consumer, stop: { try await $0.stop() }) { consumer in
                try await eventually("the consumer stands at the head") { try Fixture.noteCount(consumer) == 1 }
                #expect(try Fixture.appliedNotes(consumer).first?.first == "100", "only the event still kept is applied")
                let lost = metrics.counters(label: "omnibus_events_lost_total").reduce(0) { $0 + Int($1.totalValue) }
                #expect(lost == 99)
            }
        }
    }
}
