import Hummingbird
import Synchronization

/// How many streams the gateway serves at once, in all and per caller: each holds a bus
/// reader (a thread and two sockets per source), so past a limit a new one is refused with
/// 503 instead of failing after its 200 — and one front end opening streams in a loop leaves
/// room for the others.
final class StreamSlots: Sendable {
    let limit: Int
    let perCaller: Int
    private let open = Mutex<(total: Int, byCaller: [String: Int])>((0, [:]))

    init(limit: Int, perCaller: Int) {
        self.limit = limit
        self.perCaller = perCaller
    }

    /// Streams open now.
    var inUse: Int { open.withLock { $0.total } }

    /// A slot for `caller`, or nil when the gateway's or the caller's are all taken.
    func take(for caller: String) -> Slot? {
        open.withLock { state in
            guard state.total < limit, state.byCaller[caller, default: 0] < perCaller else { return nil }
            state.total += 1
            state.byCaller[caller, default: 0] += 1
            return Slot(owner: self, caller: caller)
        }
    }

    fileprivate func release(_ caller: String) {
        open.withLock { state in
            state.total -= 1
            state.byCaller[caller, default: 1] -= 1
            if state.byCaller[caller] == 0 { state.byCaller[caller] = nil }
        }
    }

    /// One stream's place; ``close()`` gives it back, and so does dropping it unclosed (a
    /// response whose body never ran because its client left first).
    final class Slot: Sendable {
        private let owner: StreamSlots
        private let caller: String
        private let closed = Atomic<Bool>(false)

        fileprivate init(owner: StreamSlots, caller: String) {
            self.owner = owner
            self.caller = caller
        }

        func close() {
            if !closed.exchange(true, ordering: .relaxed) { owner.release(caller) }
        }

        deinit { close() }
    }
}

extension RequestBody {
    /// Runs `operation` until it ends or the client closes its side of the connection (a
    /// browser tab closed): a stream's bus reader then stops at once instead of at the next
    /// failed write. Leaving is not an error.
    func consumeUntilClientLeaves(_ operation: (RequestBody) async throws -> Void) async throws {
        do {
            try await consumeWithCancellationOnInboundClose(operation)
        } catch is CancellationError {
            return
        }
    }
}
