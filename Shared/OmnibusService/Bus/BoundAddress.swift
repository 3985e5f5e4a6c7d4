import Foundation
import OmnibusContracts
import Synchronization

/// The endpoint a server actually bound (a `tcp://host:*` wildcard resolved to its port),
/// published once the socket is ready so that tests and tools can connect to it.
package final class BoundAddress: Sendable {
    private let value = Mutex<String?>(nil)

    package init() {}

    func set(_ endpoint: String) { value.withLock { $0 = endpoint } }

    /// The bound endpoint, or nil before the server has bound.
    package var endpoint: String? { value.withLock { $0 } }

    /// Waits (polling) until the server has bound, up to `timeout`: generous, because a
    /// service starting beside many others on two cores (a test run's first seconds) may take
    /// well over ten seconds to open its database and bind; only a broken one takes a minute.
    package func wait(timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let endpoint { return endpoint }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw OmnibusError(.unavailable, "the server did not bind within \(timeout)")
    }
}
