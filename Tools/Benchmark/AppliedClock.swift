import Foundation
import OmnibusBus
import Synchronization

/// What the consumer has committed, and when, as told by the subscriber's `onCommitted`.
final class AppliedClock: Sendable {
    private struct State {
        var appliedThrough: Int64 = 0
        var first: Int64 = 0
        var committedAt: [ContinuousClock.Instant?] = []
        var latencies: [Double] = []
        var recorded: Int64 = 0
        var firstBatch: (at: ContinuousClock.Instant, through: Int64)?
    }

    private let state = Mutex(State())

    /// Called by the consumer after each committed batch.
    func applied(through sequence: Int64) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.appliedThrough = max(state.appliedThrough, sequence)
            if state.firstBatch == nil { state.firstBatch = (now, sequence) }
            guard !state.committedAt.isEmpty else { return }
            // Every event up to `sequence` not yet measured became applied now.
            var next = max(state.recorded, state.first)
            while next <= sequence, let index = Optional(Int(next - state.first)), index < state.committedAt.count {
                if let committed = state.committedAt[index] {
                    state.latencies.append((now - committed).secondsValue * 1000)
                }
                next += 1
            }
            state.recorded = next
        }
    }

    func startRecording(from first: Int64, count: Int) {
        state.withLock { state in
            state.first = first
            state.recorded = first
            state.committedAt = Array(repeating: nil, count: count)
            state.latencies = []
        }
    }

    /// Called by the producer when `sequence` has committed.
    func committed(_ sequence: Int64, at instant: ContinuousClock.Instant) {
        state.withLock { state in
            let index = Int(sequence - state.first)
            if index >= 0 && index < state.committedAt.count { state.committedAt[index] = instant }
        }
    }

    func stopRecording() -> [Double] {
        state.withLock { state in
            defer { state.committedAt = [] }
            return state.latencies
        }
    }

    /// When the first batch was committed, and through which sequence.
    var firstBatch: (at: ContinuousClock.Instant, through: Int64)? { state.withLock { $0.firstBatch } }

    /// Waits (polling each millisecond) until the consumer has committed `sequence`.
    func wait(through sequence: Int64) async throws {
        while state.withLock({ $0.appliedThrough }) < sequence {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
