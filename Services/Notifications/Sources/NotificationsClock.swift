import Foundation
import OmnibusBus
import OmnibusContracts
import Synchronization

/// The time the service schedules by: delays, quiet hours, frequency caps, retries and
/// abandoned carts. The system's clock in production; tests move a ``ManualClock`` instead
/// of waiting hours.
public struct NotificationsClock: Sendable {
    private let read: @Sendable () -> Int64

    /// Milliseconds since 1970.
    public func now() -> Int64 { read() }

    /// The system's clock.
    public static let system = NotificationsClock { Timestamp.now().millisecondsSince1970 }

    /// A clock that reads `manual`.
    public static func manual(_ manual: ManualClock) -> NotificationsClock { NotificationsClock { manual.now } }

    private init(read: @escaping @Sendable () -> Int64) { self.read = read }
}

/// A clock that stands still until told to move.
public final class ManualClock: Sendable {
    private let milliseconds: Mutex<Int64>

    public init(_ start: Date) { milliseconds = Mutex(Int64(start.timeIntervalSince1970 * 1000)) }

    public var now: Int64 { milliseconds.withLock { $0 } }

    /// Sets the time (forward or back).
    public func set(_ date: Date) { milliseconds.withLock { $0 = Int64(date.timeIntervalSince1970 * 1000) } }

    public func advance(by interval: Duration) {
        milliseconds.withLock { $0 += interval.wholeMilliseconds }
    }
}
