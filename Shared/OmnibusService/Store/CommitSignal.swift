import Dispatch

/// Wakes the publisher relay when a transaction that appended events has committed (see
/// ``EventStore/append(_:in:)``, which hooks GRDB's after-commit callback).
///
/// Signals coalesce: however many commits happened, the relay wakes and sends everything
/// committed since it last looked.
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
