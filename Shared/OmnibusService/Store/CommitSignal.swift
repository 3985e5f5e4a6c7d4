import Dispatch

/// Wakes the publisher relay when a transaction that appended events has committed (see
/// ``EventStore/append(_:in:)``, which hooks GRDB's after-commit callback once per such
/// transaction). The relay sends everything committed since it last looked, so a wake for
/// several commits at once is enough.
final class CommitSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// Says that new events are committed.
    func signal() { semaphore.signal() }

    /// Waits until signalled or `milliseconds` pass; true when signalled.
    func wait(milliseconds: Int) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }
}
