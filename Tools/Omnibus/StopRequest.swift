import Foundation
import Synchronization

/// Set by a signal handler; an atomic store is all a handler may safely do.
private let stopRequested = Atomic<Bool>(false)

/// Records the arrival of SIGINT or SIGTERM instead of dying; polled by the supervisor.
struct StopRequest: Sendable {
    var isRequested: Bool { stopRequested.load(ordering: .relaxed) }

    /// Replaces the default action of `signals` with recording their arrival.
    static func trapping(_ signals: [Int32]) -> StopRequest {
        for number in signals {
            signal(number) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
        return StopRequest()
    }
}
