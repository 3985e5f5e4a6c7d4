import GRDB
import OmnibusContracts
import Synchronization

/// A service's database together with its identity as an event source. Events reach its
/// outbox through ``append(_:in:)``, which wakes the publisher relay when they commit.
public final class EventStore: Sendable {
    /// The service name events are published under.
    public let source: String
    package let database: ServiceDatabase
    /// Raised after each commit that appended events, for the relay.
    let commits: CommitSignal
    /// Whether the open transaction already has its after-commit hook (one per transaction;
    /// the service's one writer runs one transaction at a time).
    private let hooked = Atomic<Bool>(false)

    package init(source: String, database: ServiceDatabase) {
        precondition(Topic.isValidSource(source), "invalid source name \(source)")
        self.source = source
        self.database = database
        commits = CommitSignal()
    }

    /// Runs `body` in one write transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.pool.write(body)
    }

    /// Appends events in one transaction (group commit) and returns their sequences.
    @discardableResult
    package func append(_ events: [PendingEvent]) throws -> [Int64] {
        try write { db in try append(events, in: db) }
    }

    /// The latest committed sequence.
    public func head() throws -> Int64 {
        try database.pool.read { db in try Outbox.head(in: db) }
    }

    /// Appends `events` to the outbox in `db`'s open transaction and returns their
    /// sequences. The relay is woken by GRDB's after-commit hook of that transaction, so it
    /// never looks before the events are there, whichever code wrote them (a command, a
    /// reaction, start-up work); a transaction that appends nothing costs nothing.
    package func append(_ events: [PendingEvent], in db: Database) throws -> [Int64] {
        let sequences = try Outbox.append(events, source: source, in: db)
        if !hooked.exchange(true, ordering: .relaxed) {
            db.afterNextTransaction(
                onCommit: { [self] _ in
                    hooked.store(false, ordering: .relaxed)
                    commits.signal()
                },
                onRollback: { [self] _ in hooked.store(false, ordering: .relaxed) })
        }
        return sequences
    }
}
