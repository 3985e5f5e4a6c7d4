import Hummingbird
import Synchronization

/// How many streams the gateway serves at once: each holds a bus reader (a thread and a
/// socket per source), so past the limit a new one is refused with 503 instead of failing
/// after its 200.
final class StreamSlots: Sendable {
    let limit: Int
    private let taken = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Streams open now.
    var inUse: Int { taken.load(ordering: .relaxed) }

    /// A slot, or nil when all are taken.
    func open() -> Slot? {
        while true {
            let current = taken.load(ordering: .relaxed)
            guard current < limit else { return nil }
            if taken.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return Slot(owner: self) }
        }
    }

    fileprivate func release() { taken.subtract(1, ordering: .relaxed) }

    /// One stream's place; ``close()`` gives it back.
    struct Slot: Sendable {
        fileprivate let owner: StreamSlots
        func close() { owner.release() }
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
