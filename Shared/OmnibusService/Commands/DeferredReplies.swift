import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import Synchronization

/// What a handler registered with ``CommandRegistry/registerDeferred(_:versions:_:)``
/// answers: the reply now, or that the reply will come when the work under `key` is done.
public enum CommandOutcome<Reply: Codable & Sendable>: Sendable {
    case reply(Reply)
    /// The caller waits; the service's process for `key` answers through ``DeferredReplies``.
    case pending(key: String)
}

/// Replies a command could not give at once because it waits on another service (orders'
/// checkout reserving a coupon at coupons). The command server keeps each such caller
/// waiting under the handler's key; the process that finishes the work commits the reply
/// with ``record(requestId:command:reply:in:)`` (so a retry of the request gets it from
/// then on) and, after the commit, hands it to ``complete(_:reply:)``, which sends it to
/// every caller waiting under the key. Callers a restart forgot retry with the same request
/// id and are answered from the stored reply, or wait again.
public final class DeferredReplies: Sendable {
    /// Wakes the command server's thread, which alone may use its socket.
    let wake: WakeSignal
    private let completed = Mutex<[(key: String, reply: Data)]>([])

    init() throws {
        wake = try WakeSignal()
    }

    /// Sends `reply` (an encoded ``CommandReply``) to the callers waiting under `key`; none
    /// may be waiting, when they gave up or the service restarted.
    public func complete(_ key: String, reply: Data) {
        completed.withLock { $0.append((key, reply)) }
        wake.wake()
    }

    /// Stores the final reply of request `requestId` in `db`'s transaction, as the command
    /// server stores the reply of a command that answers at once.
    public func record(requestId: String, command: String, reply: Data, in db: Database) throws {
        try CommandReplyStore.save(requestId: requestId, command: command, reply: reply, in: db)
    }

    /// The replies completed since the last call, for the command server's thread.
    func takeCompleted() -> [(key: String, reply: Data)] {
        completed.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }
}
