import Foundation
import GRDB
import OmnibusBus
import OmnibusClient
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
    private let metrics: MetricsRecorder

    init(metrics: MetricsRecorder) throws {
        wake = try WakeSignal()
        self.metrics = metrics
    }

    /// Sends `reply` (an encoded ``CommandReply``) to the callers waiting under `key`; none
    /// may be waiting, when they gave up or the service restarted.
    public func complete(_ key: String, reply: Data) {
        completed.withLock { $0.append((key, reply)) }
        wake.wake()
    }

    /// Stores the final reply of request `requestId` in `db`'s transaction, as the command
    /// server stores the reply of a command that answers at once, and counts its outcome in
    /// `omnibus_commands_total` (the command server counted it `pending`).
    public func record(requestId: String, command: String, reply: Data, in db: Database) throws {
        try CommandReplyStore.save(requestId: requestId, command: command, reply: reply, in: db)
        let outcome = (try? ContractCoding.decode(CommandReply<SkippedPayload>.self, from: reply)).map { $0.error?.code.rawValue ?? "ok" } ?? "internal"
        metrics.counter(BusMetric.commands, [("command", command), ("outcome", outcome)]).increment()
    }

    /// The replies completed since the last call, for the command server's thread.
    func takeCompleted() -> [(key: String, reply: Data)] {
        completed.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }
}

/// The callers of pending commands, by key, for the command server's thread alone. A
/// caller resending the same request from the same socket replaces its earlier wait, and a
/// wait older than the limit is forgotten, so a key that never completes (its other service
/// is down) holds one entry per caller for a bounded time.
struct WaitingCallers {
    private struct Caller {
        var message: RoutedMessage
        var requestId: String
        var since: ContinuousClock.Instant
    }

    private var byKey: [String: [Caller]] = [:]
    private(set) var count = 0

    /// Keeps `message` waiting under `key`; false when `limit` callers already wait.
    mutating func add(_ message: RoutedMessage, requestId: String, under key: String, limit: Int) -> Bool {
        let caller = Caller(message: message, requestId: requestId, since: .now)
        if let index = byKey[key]?.firstIndex(where: { $0.requestId == requestId && $0.message.identity == message.identity }) {
            byKey[key]![index] = caller
            return true
        }
        guard count < limit else { return false }
        byKey[key, default: []].append(caller)
        count += 1
        return true
    }

    /// The callers waiting under `key`, no longer kept.
    mutating func take(_ key: String) -> [RoutedMessage] {
        let callers = byKey.removeValue(forKey: key) ?? []
        count -= callers.count
        return callers.map(\.message)
    }

    mutating func forget(olderThan age: Duration) {
        guard count > 0 else { return }
        let cutoff = ContinuousClock.now - age
        for key in Array(byKey.keys) {
            byKey[key]!.removeAll { $0.since < cutoff }
            if byKey[key]!.isEmpty { byKey.removeValue(forKey: key) }
        }
        count = byKey.values.reduce(0) { $0 + $1.count }
    }
}
