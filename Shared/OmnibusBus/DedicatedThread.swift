import Foundation
import Synchronization

/// A flag a socket loop checks between polls to know it should stop.
public final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    public init() {}

    /// Asks the loop to stop at its next check.
    public func stop() { stopped.store(true, ordering: .releasing) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopped.load(ordering: .acquiring) }
}

/// Runs blocking socket loops on their own OS threads.
///
/// A libzmq socket must stay on the thread that uses it, and a loop that blocks in
/// `zmq_poll` must not hold one of Swift's few cooperative threads; so each loop gets a
/// thread of its own, and the awaiting task is resumed when the loop returns.
public enum DedicatedThread {
    /// Runs `body` on a new thread and returns its result. Cancelling the awaiting task
    /// raises `stop`, which `body` is expected to check between polls.
    public static func run<Result: Sendable>(
        name: String,
        stop: StopSignal,
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let thread = Thread {
                    nameCurrentThread(name)
                    continuation.resume(with: Swift.Result { try body() })
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            stop.stop()
        }
    }
}

extension DedicatedThread {
    /// Starts `body` on a new thread and returns at once: for a loop whose owner learns of
    /// its end another way (a stream it finishes).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            nameCurrentThread(name)
            body()
        }
        thread.name = name
        thread.start()
    }
}

/// Gives the running thread its name at the OS level too (15 characters at most on Linux),
/// where `top -H`, `ps -L` and debuggers show it; Foundation's `Thread.name` does not.
private func nameCurrentThread(_ name: String) {
    #if os(Linux)
    // pthread_setname_np is a GNU extension Swift's Glibc does not export; the kernel's
    // own interface takes the same name.
    try? Data(name.utf8.prefix(15)).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
    #endif
}
