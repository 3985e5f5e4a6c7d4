#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a thread that waits in ``ZMQPoller/poll(_:wakingOn:timeoutMilliseconds:)`` from any
/// other thread: a non-blocking pipe whose read end the poll watches beside its sockets.
/// (A socket cannot do this job: it may not be used from the waking threads.)
public final class WakeSignal: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    public init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw ZMQError(function: "pipe", code: errno) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Makes the waiting poll return. A full pipe already guarantees that, so a write
    /// that would block is simply dropped.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe, so the next poll waits again; called by the woken thread.
    public func clear() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}
