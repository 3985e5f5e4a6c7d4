import Foundation
import GRDB
import OmnibusContracts

/// The snapshots a replay endpoint is serving: each holds one read transaction open (a GRDB
/// `DatabaseSnapshot`), so all its chunks reflect the same sequence however the log moves
/// meanwhile. Few at once, and closed when idle, because an open read transaction keeps the
/// WAL from being checkpointed past it.
///
/// Used on the replay server's thread only.
final class SnapshotSessions {
    private struct Session {
        let snapshot: DatabaseSnapshot
        let sequence: Int64
        var lastUsed: ContinuousClock.Instant
    }

    private let source: String
    private let pool: DatabasePool
    private let provider: SnapshotProvider?
    private let options: ReplayServer.SnapshotOptions
    private var sessions: [String: Session] = [:]

    init(source: String, pool: DatabasePool, provider: SnapshotProvider?, options: ReplayServer.SnapshotOptions) {
        self.source = source
        self.pool = pool
        self.provider = provider
        self.options = options
    }

    /// How many snapshots are open now.
    var openCount: Int { sessions.count }

    /// Serves one request: a new snapshot's first chunk, or the next chunk of an open one.
    func serve(_ ask: SnapshotRequest.Ask) throws -> (SnapshotReplyHeader, [SnapshotRecord]) {
        closeIdle()
        guard let provider else {
            throw OmnibusError(.notFound, "\(source) serves no snapshot; its consumers keep nothing of its state that a snapshot would rebuild")
        }
        guard ask.versions.contains(provider.version) else {
            throw OmnibusError(.unsupportedVersion, "\(source) serves snapshot format \(provider.version); the request reads \(ask.versions.map(String.init).joined(separator: ", "))")
        }
        if let limit = ask.limit, limit < 1 { throw OmnibusError(.invalidArgument, "limit must be 1 or more (or left out); got \(limit)") }
        let limit = min(ask.limit ?? options.maxRecordsPerChunk, options.maxRecordsPerChunk)
        let id: String
        var session: Session
        if let asked = ask.id {
            guard let open = sessions[asked] else {
                throw OmnibusError(.notFound, "snapshot '\(SafeText.escaped(asked, maxBytes: 64))' is not open (it was closed after \(options.idleTimeout) idle, or the service restarted); start a new one")
            }
            (id, session) = (asked, open)
        } else {
            guard sessions.count < options.maxOpen else {
                throw OmnibusError(.unavailable, "\(source) is serving \(sessions.count) snapshots already; ask again in a few seconds")
            }
            let snapshot = try pool.makeSnapshot()
            let sequence = try snapshot.read { db in try Outbox.head(in: db) }
            id = "snp_" + UUID().uuidString.lowercased()
            session = Session(snapshot: snapshot, sequence: sequence, lastUsed: .now)
        }
        let cursor: SnapshotProvider.Cursor
        if let text = ask.cursor {
            guard let parsed = SnapshotProvider.Cursor(text, kinds: provider.kinds.count) else {
                throw OmnibusError(.invalidArgument, "cursor '\(SafeText.escaped(text, maxBytes: 64))' is not one this service gave")
            }
            cursor = parsed
        } else {
            cursor = SnapshotProvider.Cursor(kind: 0, after: nil)
        }
        let (records, next) = try session.snapshot.read { db in try provider.chunk(from: cursor, limit: limit, in: db) }
        if next == nil {
            sessions[id] = nil
        } else {
            session.lastUsed = .now
            sessions[id] = session
        }
        let header = SnapshotReplyHeader(source: source, id: id, version: provider.version, sequence: session.sequence,
                                         count: records.count, cursor: ask.cursor, next: next?.text)
        return (header, records)
    }

    private func closeIdle() {
        let now = ContinuousClock.now
        sessions = sessions.filter { now - $0.value.lastUsed < options.idleTimeout }
    }
}
