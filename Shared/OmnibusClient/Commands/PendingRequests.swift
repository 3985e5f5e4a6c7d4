import Foundation
import OmnibusContracts
import Synchronization

/// The requests a ``CommandClient`` has in flight, shared between the callers' tasks and
/// the client's socket thread. Each continuation is taken out under the lock before it is
/// resumed, so it is resumed exactly once whoever gets there first: the reply, the
/// deadline, the caller's cancellation or the client stopping.
final class PendingRequests: Sendable {
    struct Request {
        var body: Data
        var continuation: CheckedContinuation<Data, any Error>
        var timeout: Duration
        var deadline: ContinuousClock.Instant
        var resendAt: ContinuousClock.Instant
    }

    private struct State {
        var requests: [String: Request] = [:]
        /// Ids registered but not yet handed to the socket, oldest first.
        var unsent: [String] = []
        var isStopped = false
    }

    private let state = Mutex(State())

    /// Registers a request; nil when it was taken, else why not.
    func add(id: String, _ request: Request) -> OmnibusError? {
        state.withLock { state in
            if state.isStopped { return OmnibusError(.unavailable, "the command client is not running") }
            if state.requests[id] != nil { return OmnibusError(.invalidArgument, "request id \(id) is already in flight") }
            state.requests[id] = request
            state.unsent.append(id)
            return nil
        }
    }

    /// Bodies of the requests added since the last call, to send now, and the soonest
    /// instant one of them times out or is due for a resend.
    func takeUnsent() -> (bodies: [Data], soonest: ContinuousClock.Instant?) {
        state.withLock { state in
            defer { state.unsent.removeAll(keepingCapacity: true) }
            var soonest: ContinuousClock.Instant?
            let bodies = state.unsent.compactMap { id -> Data? in
                guard let request = state.requests[id] else { return nil }
                let due = min(request.deadline, request.resendAt)
                soonest = soonest.map { min($0, due) } ?? due
                return request.body
            }
            return (bodies, soonest)
        }
    }

    /// Removes and returns the request `id`, if it is still waiting.
    func remove(_ id: String) -> Request? {
        state.withLock { $0.requests.removeValue(forKey: id) }
    }

    /// Takes the requests whose deadline has passed, and returns the bodies of those due
    /// for a resend (pushing their next resend on by `interval`), and the nearest instant
    /// at which either happens again.
    func due(at now: ContinuousClock.Instant, resendInterval: Duration)
        -> (expired: [Request], resend: [Data], next: ContinuousClock.Instant?) {
        state.withLock { state in
            var expired: [Request] = []
            var resend: [Data] = []
            var next: ContinuousClock.Instant?
            for (id, request) in state.requests {
                if request.deadline <= now {
                    expired.append(state.requests.removeValue(forKey: id)!)
                    continue
                }
                if request.resendAt <= now {
                    resend.append(request.body)
                    state.requests[id]!.resendAt = now + resendInterval
                }
                let soonest = min(request.deadline, state.requests[id]!.resendAt)
                next = next.map { min($0, soonest) } ?? soonest
            }
            return (expired, resend, next)
        }
    }

    /// Refuses new requests and takes every waiting one, for the client stopping.
    func stop() -> [Request] {
        state.withLock { state in
            state.isStopped = true
            defer { state.requests.removeAll() }
            return Array(state.requests.values)
        }
    }
}
