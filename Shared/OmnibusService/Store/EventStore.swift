import GRDB
import OmnibusContracts

/// A service's database together with its identity as an event source. Every commit wakes
/// the publisher relay, whichever code made it (see ``CommitSignal``).
public final class EventStore: Sendable {
    /// The service name events are published under.
    public let source: String
    package let database: ServiceDatabase
    /// Raised after each commit, for the relay.
    let commits: CommitSignal

    package init(source: String, database: ServiceDatabase) {
        precondition(Topic.isValidSource(source), "invalid source name \(source)")
        self.source = source
        self.database = database
        commits = CommitSignal()
        database.pool.add(transactionObserver: commits, extent: .databaseLifetime)
    }

    /// Runs `body` in one write transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.pool.write(body)
    }

    /// Appends events in one transaction (group commit) and returns their sequences.
    @discardableResult
    package func append(_ events: [PendingEvent]) throws -> [Int64] {
        try write { db in try Outbox.append(events, source: source, in: db) }
    }

    /// The latest committed sequence.
    public func head() throws -> Int64 {
        try database.pool.read { db in try Outbox.head(in: db) }
    }
}
