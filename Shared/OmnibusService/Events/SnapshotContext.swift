import GRDB
import OmnibusContracts

/// What a snapshot handler works with: the write transaction that folds the chunk (and, with
/// the last chunk, records the snapshot's sequence as applied) and ``emit(_:customerId:)``
/// for reactions, which carry the snapshot's id as their correlation id.
public final class SnapshotContext {
    public let db: Database
    /// The source whose snapshot is being folded.
    public let source: String
    /// The last event sequence of `source` the snapshot reflects.
    public let sequence: Int64
    let snapshotId: String
    let store: EventStore

    init(db: Database, source: String, sequence: Int64, snapshotId: String, store: EventStore) {
        self.db = db
        self.source = source
        self.sequence = sequence
        self.snapshotId = snapshotId
        self.store = store
    }

    /// Appends a reaction event to this service's outbox in the folding transaction; its
    /// correlation id is the snapshot's id.
    @discardableResult
    public func emit<Event: EventContract>(_ event: Event, customerId: String?) throws -> Int64 {
        try store.append([PendingEvent(event, customerId: customerId, correlationId: snapshotId)], in: db)[0]
    }
}

extension SnapshotContext: EventEmitting {}
