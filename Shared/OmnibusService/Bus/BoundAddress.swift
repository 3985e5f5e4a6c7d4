import Foundation
import Synchronization

/// The endpoint a server actually bound (a `tcp://host:*` wildcard resolved to its port),
/// published once the socket is ready so that tests and tools can connect to it.
package final class BoundAddress: Sendable {
    private let value = Mutex<String?>(nil)

    package init() {}

    func set(_ endpoint: String) { value.withLock { $0 = endpoint } }

    /// The bound endpoint, or nil before the server has bound.
    package var endpoint: String? { value.withLock { $0 } }

    /// Waits (polling) until the server has bound, up to `timeout`.
    package func wait(timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let endpoint { return endpoint }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CancellationError()
    }
}
