import Dispatch

/// Wakes the publisher relay when a transaction that wrote events has committed.
///
/// Signals coalesce: however many commits happened, the relay wakes and sends everything
/// committed since it last looked.
public final class CommitSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    public init() {}

    /// Says that new events are committed.
    public func signal() { semaphore.signal() }

    /// Waits until signalled or `milliseconds` pass; true when signalled.
    func wait(milliseconds: Int) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }
}
