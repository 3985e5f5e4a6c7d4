import Dispatch
import GRDB

/// Wakes the publisher relay when the service's writer has committed a transaction.
///
/// It observes the database (GRDB's after-commit hook), so every write path wakes the
/// relay — commands, event handlers, start-up work, a test writing through the pool —
/// without any of them having to remember to. Signals coalesce: however many commits
/// happened, the relay wakes and sends everything committed since it last looked.
final class CommitSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// Says that something was committed.
    func signal() { semaphore.signal() }

    /// Waits until signalled or `milliseconds` pass; true when signalled.
    func wait(milliseconds: Int) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }
}

extension CommitSignal: TransactionObserver {
    // No change events are needed, only the commit itself.
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { signal() }
    func databaseDidRollback(_ db: Database) {}
}
