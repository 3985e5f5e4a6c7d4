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

    typealias Reply = (header: SnapshotReplyHeader, records: [SnapshotRecord])

    /// Runs `body` with one client connection to the producer's replay endpoint (a snapshot
    /// is read by the connection that started it); `ask` sends a request and reads its reply.
    static func connected<Result: Sendable>(
        to producer: RunningRuntime, context: ZMQContext,
        _ body: @escaping @Sendable (_ ask: (SnapshotRequest.Ask, String) throws -> Reply) throws -> Result
    ) async throws -> Result {
        let endpoint = producer.endpoints.replay
        return try await blocking {
            let dealer = try ZMQSocket(context: context, type: .dealer)
            try dealer.connect(endpoint)
            return try body { ask, source in
                try dealer.send([try ContractCoding.encode(SnapshotRequest(source: source, snapshot: ask))])
                guard try dealer.waitForInput(timeoutMilliseconds: 5_000), let frames = try dealer.receive(), let first = frames.first else {
                    throw TestFailure("no snapshot reply")
                }
                return (try ContractCoding.decode(SnapshotReplyHeader.self, from: first),
                        try frames.dropFirst().map { try ContractCoding.decode(SnapshotRecord.self, from: $0) })
            }
        }
    }

    @Test("every record once, kind after kind in key order, all at the sequence of the first chunk while the log moves on")
    func chunkedAndConsistent() async throws {
        try await Self.withProducer { producer, context in
            try Fixture.append(25, to: producer)
            try await Self.connected(to: producer, context: context) { ask in
                var reply = try ask(.init(versions: [1]), "alpha")
                let first = reply.header
                #expect(first.type == "snapshot" && first.sequence == 25 && first.version == 1 && first.count == 4 && first.error == nil)
                var records = reply.records
                var chunks = 1
                while let next = reply.header.next {
                    try Fixture.append(3, to: producer)  // commits between chunks are not in the snapshot
                    reply = try ask(.init(versions: [1], id: first.id, cursor: next), "alpha")
                    #expect(reply.header.id == first.id && reply.header.sequence == 25 && reply.header.cursor == next)
                    #expect(reply.header.error == nil, "\(reply.header.error?.message ?? "")")
                    records += reply.records
                    chunks += 1
                }
                let expected = (1...25).filter { $0 % 2 == 1 } + (1...25).filter { $0 % 2 == 0 }
                #expect(records.map { Int($0.key)! } == expected)
                #expect(records.map(\.kind) == Array(repeating: "odd", count: 13) + Array(repeating: "even", count: 12))
                #expect(chunks == 7, "25 records in chunks of 4")
                let finished = try ask(.init(versions: [1], id: first.id, cursor: "0:"), "alpha")
                #expect(finished.header.error?.code == .notFound, "a snapshot read to its end is closed")
            }
        }
    }

    @Test("refusals: unknown version, unknown snapshot, a cursor out of order, another client's snapshot, another source, none served")
    func refusals() async throws {
        try await Self.withProducer { producer, context in
            try Fixture.append(3, to: producer)
            let opened = try await Self.connected(to: producer, context: context) { ask in
                let version = try ask(.init(versions: [2, 3]), "alpha")
                #expect(version.header.error?.code == .unsupportedVersion && version.records.isEmpty)
                let unknown = try ask(.init(versions: [1], id: "snp_gone", cursor: "0:"), "alpha")
                #expect(unknown.header.error?.code == .notFound)
                let open = try ask(.init(versions: [1], limit: 1), "alpha")
                let skipping = try ask(.init(versions: [1], id: open.header.id, cursor: "1:"), "alpha")
                #expect(skipping.header.error?.code == .invalidArgument, "chunks are read in order")
                let other = try ask(.init(versions: [1]), "omega")
                #expect(other.header.error?.code == .notFound)
                return open.header
            }
            let stranger = try await Self.connected(to: producer, context: context) { ask in
                try ask(.init(versions: [1], id: opened.id, cursor: opened.next), "alpha")
            }
            #expect(stranger.header.error?.code == .notFound, "only the connection that opened a snapshot reads it")
        }
        try await Self.withProducer(snapshot: nil) { producer, context in
            let none = try await Self.connected(to: producer, context: context) { ask in try ask(.init(versions: [1]), "alpha") }
            #expect(none.header.error?.code == .notFound && none.header.type == "snapshot")
        }
    }

    @Test("an abandoned snapshot is closed after its idle time even when no other request comes")
    func abandonedSnapshotCloses() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        var configuration = ServiceRuntime.Configuration(name: "alpha", databasePath: directory.file("alpha.sqlite"), endpoints: .ephemeral)
        configuration.replay.snapshots.maxRecordsPerChunk = 1
        configuration.replay.snapshots.idleTimeout = .milliseconds(200)
        let producer = try await RunningRuntime.start(configuration, snapshot: Self.provider, context: context)
        try await scoped(producer, stop: { try await $0.stop() }) { producer in
            try Fixture.append(5, to: producer)
            _ = try await Self.connected(to: producer, context: context) { ask in try ask(.init(versions: [1]), "alpha") }
            try Fixture.append(5, to: producer)
            // An open snapshot holds a read transaction: a TRUNCATE checkpoint cannot empty the WAL past it.
            try await eventually("the WAL can be emptied again: the snapshot's read transaction is gone") {
                try producer.runtime.store.database.pool.writeWithoutTransaction { db in
                    try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")?[0] == 0 as Int64
                }
            }
        }
    }
}
