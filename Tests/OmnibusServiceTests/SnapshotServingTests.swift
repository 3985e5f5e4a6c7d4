import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Snapshots over the replay endpoint (docs/PROTOCOL.md 3.1): chunked, every chunk from the
/// same read transaction, versions negotiated, and refused with the protocol's codes.
@Suite("Snapshots: served in chunks from one point in time")
struct SnapshotServingTests {
    /// The producer's notes as a snapshot of two kinds: odd and even sequences, keyed by sequence.
    static let provider = SnapshotProvider(version: 1, kinds: ["odd", "even"].map { kind in
        SnapshotProvider.Kind(name: kind) { db, after, limit in
            try Int64.fetchAll(db, sql: """
                SELECT sequence FROM outbox WHERE sequence % 2 = ? AND printf('%08d', sequence) > ? ORDER BY sequence LIMIT ?
                """, arguments: [kind == "odd" ? 1 : 0, after ?? "", limit])
                .map { SnapshotRecord(kind: kind, key: String(format: "%08lld", $0), data: .number(Double($0))) }
        }
    })

    static func withProducer(snapshot: SnapshotProvider? = provider, _ body: (RunningRuntime, ZMQContext) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        var configuration = ServiceRuntime.Configuration(name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configuration.replay.snapshots.maxRecordsPerChunk = 4
        let producer = try await RunningRuntime.start(configuration, snapshot: snapshot, context: context)
        try await scoped(producer, stop: { try await $0.stop() }) { try await body($0, context) }
    }

    /// Sends one snapshot request and returns the reply's header and records.
    static func ask(_ ask: SnapshotRequest.Ask, source: String = "alpha", of producer: RunningRuntime,
                    context: ZMQContext) async throws -> (header: SnapshotReplyHeader, records: [SnapshotRecord]) {
        let endpoint = producer.endpoints.replay
        let request = try ContractCoding.encode(SnapshotRequest(source: source, snapshot: ask))
        let frames = try await blocking {
            let dealer = try ZMQSocket(context: context, type: .dealer)
            try dealer.connect(endpoint)
            try dealer.send([request])
            guard try dealer.waitForInput(timeoutMilliseconds: 5_000) else { return [Data]() }
            return try dealer.receive() ?? []
        }
        let header = try ContractCoding.decode(SnapshotReplyHeader.self, from: try #require(frames.first))
        return (header, try frames.dropFirst().map { try ContractCoding.decode(SnapshotRecord.self, from: $0) })
    }

    @Test("every record once, kind after kind in key order, all at the sequence of the first chunk while the log moves on")
    func chunkedAndConsistent() async throws {
        try await Self.withProducer { producer, context in
            try Fixture.append(25, to: producer)
            var reply = try await Self.ask(.init(versions: [1]), of: producer, context: context)
            let first = reply.header
            #expect(first.type == "snapshot" && first.sequence == 25 && first.version == 1 && first.count == 4 && first.error == nil)
            var records = reply.records
            var chunks = 1
            while let next = reply.header.next {
                try Fixture.append(3, to: producer)  // commits between chunks are not in the snapshot
                reply = try await Self.ask(.init(versions: [1], id: first.id, cursor: next), of: producer, context: context)
                #expect(reply.header.id == first.id && reply.header.sequence == 25 && reply.header.cursor == next)
                #expect(reply.header.error == nil, "\(reply.header.error?.message ?? "")")
                records += reply.records
                chunks += 1
            }
            let expected = (1...25).filter { $0 % 2 == 1 } + (1...25).filter { $0 % 2 == 0 }
            #expect(records.map { Int($0.key)! } == expected)
            #expect(records.map(\.kind) == Array(repeating: "odd", count: 13) + Array(repeating: "even", count: 12))
            #expect(chunks == 7, "25 records in chunks of 4")
            let finished = try await Self.ask(.init(versions: [1], id: first.id, cursor: "0:"), of: producer, context: context)
            #expect(finished.header.error?.code == .notFound, "a snapshot read to its end is closed")
        }
    }

    @Test("refusals: unknown version, unknown snapshot, bad cursor, another source, a service without snapshots")
    func refusals() async throws {
        try await Self.withProducer { producer, context in
            try Fixture.append(3, to: producer)
            let version = try await Self.ask(.init(versions: [2, 3]), of: producer, context: context)
            #expect(version.header.error?.code == .unsupportedVersion && version.records.isEmpty)
            let unknown = try await Self.ask(.init(versions: [1], id: "snp_gone", cursor: "0:"), of: producer, context: context)
            #expect(unknown.header.error?.code == .notFound)
            let open = try await Self.ask(.init(versions: [1], limit: 1), of: producer, context: context)
            let cursor = try await Self.ask(.init(versions: [1], id: open.header.id, cursor: "9:x"), of: producer, context: context)
            #expect(cursor.header.error?.code == .invalidArgument)
            let other = try await Self.ask(.init(versions: [1]), source: "omega", of: producer, context: context)
            #expect(other.header.error?.code == .notFound)
        }
        try await Self.withProducer(snapshot: nil) { producer, context in
            let none = try await Self.ask(.init(versions: [1]), of: producer, context: context)
            #expect(none.header.error?.code == .notFound && none.header.type == "snapshot")
        }
    }
}
