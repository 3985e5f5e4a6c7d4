import Foundation
import GRDB
import OmnibusContracts

/// The snapshots a replay endpoint is serving: each holds one read transaction open (a GRDB
/// `DatabaseSnapshot`), so all its chunks reflect the same sequence however the log moves
/// meanwhile. Because an open read transaction keeps the WAL from being checkpointed past it
/// (which an erasure's compaction waits for), sessions are few and short: one per client
/// connection (a new one replaces its old), a few at once, a few started a second, closed
/// when idle or too old — checked on every wake of the replay loop, not only on requests.
///
/// Used on the replay server's thread only.
final class SnapshotSessions {
    private struct Session {
        let snapshot: DatabaseSnapshot
        let sequence: Int64
        /// The client connection that opened it; only it reads on.
        let owner: Data
        let opened: ContinuousClock.Instant
        var lastUsed: ContinuousClock.Instant
        /// The cursor the next request must name: chunks are read in order, once.
        var expected: String
    }

    private let source: String
    private let pool: DatabasePool
    private let provider: SnapshotProvider?
    private let options: ReplayServer.SnapshotOptions
    private var sessions: [String: Session] = [:]
    private var starts: RateLimiter

    init(source: String, pool: DatabasePool, provider: SnapshotProvider?, options: ReplayServer.SnapshotOptions) {
        self.source = source
        self.pool = pool
        self.provider = provider
        self.options = options
        starts = RateLimiter(options.startsPerSecond)
    }

    /// Serves one request of the client connection `client`: a new snapshot's first chunk
    /// (closing the client's earlier one), or the next chunk of its open one.
    func serve(_ ask: SnapshotRequest.Ask, from client: Data) throws -> (SnapshotReplyHeader, [Data]) {
        closeExpired()
        guard let provider else {
            throw OmnibusError(.notFound, "\(source) serves no snapshot")
        }
        guard ask.versions.contains(provider.version) else {
            throw OmnibusError(.unsupportedVersion, "\(source) serves snapshot format \(provider.version); the request reads \(ask.versions.prefix(8).map(String.init).joined(separator: ", "))")
        }
        if let limit = ask.limit, limit < 1 { throw OmnibusError(.invalidArgument, "limit must be 1 or more (or left out); got \(limit)") }
        let limit = min(ask.limit ?? options.maxRecordsPerChunk, options.maxRecordsPerChunk)
        let id: String
        var session: Session
        if let asked = ask.id {
            guard let open = sessions[asked], open.owner == client else {
                throw OmnibusError(.notFound, "snapshot '\(SafeText.escaped(asked, maxBytes: 64))' is not open (closed after \(options.idleTimeout) idle, read to its end, or the service restarted); start a new one")
            }
            guard ask.cursor == open.expected else {
                throw OmnibusError(.invalidArgument, "the next chunk of this snapshot starts at the cursor of the last reply's `next`")
            }
            (id, session) = (asked, open)
        } else {
            guard ask.cursor == nil else { throw OmnibusError(.invalidArgument, "a new snapshot starts without a cursor") }
            sessions = sessions.filter { $0.value.owner != client }
            guard sessions.count < options.maxOpen, starts.allow(.everyone) else {
                throw OmnibusError(.unavailable, "\(source) is serving as many snapshots as it takes now; ask again in a few seconds")
            }
            let snapshot = try pool.makeSnapshot()
            let sequence = try snapshot.read { db in try Outbox.head(in: db) }
            id = "snp_" + UUID().uuidString.lowercased()
            session = Session(snapshot: snapshot, sequence: sequence, owner: client, opened: .now, lastUsed: .now, expected: "")
        }
        let cursor = ask.cursor.flatMap { SnapshotProvider.Cursor($0, kinds: provider.kinds.count) }
            ?? SnapshotProvider.Cursor(kind: 0, after: nil)
        let (records, next) = try session.snapshot.read { db in try provider.chunk(from: cursor, limit: limit, in: db) }
        let (frames, cut) = try Self.encode(records, maxBytes: options.maxBytesPerChunk, provider: provider)
        let following = cut ?? next
        if let following {
            session.lastUsed = .now
            session.expected = following.text
            sessions[id] = session
        } else {
            sessions[id] = nil
        }
        let header = SnapshotReplyHeader(source: source, id: id, version: provider.version, sequence: session.sequence,
                                         count: frames.count, cursor: ask.cursor, next: following?.text)
        return (header, frames)
    }

    /// The records as frames, stopping before `maxBytes` would be passed (at least one is
    /// sent); when it stops early, the cursor after the last one sent.
    private static func encode(_ records: [SnapshotRecord], maxBytes: Int, provider: SnapshotProvider) throws
        -> ([Data], SnapshotProvider.Cursor?) {
        var frames: [Data] = []
        var bytes = 0
        for record in records {
            let frame = try ContractCoding.encode(record)
            if !frames.isEmpty && bytes + frame.count > maxBytes {
                let last = records[frames.count - 1]
                let kind = provider.kinds.firstIndex { $0.name == last.kind } ?? 0
                return (frames, SnapshotProvider.Cursor(kind: kind, after: last.key))
            }
            bytes += frame.count
            frames.append(frame)
        }
        return (frames, nil)
    }

    /// Closes sessions idle past the timeout or open past the lifetime, releasing their read transactions.
    func closeExpired() {
        guard !sessions.isEmpty else { return }
        let now = ContinuousClock.now
        sessions = sessions.filter { now - $0.value.lastUsed < options.idleTimeout && now - $0.value.opened < options.maxLifetime }
    }
}
