import Foundation
import OmnibusBus
import OmnibusContracts

/// What holds a message back: the customer's quiet hours, in their time zone, and the
/// marketing frequency cap. Both defer, never drop.
enum Deferral {
    /// When the quiet hours that contain `now` end (milliseconds), or nil outside them.
    static func quietHoursEnd(_ hours: QuietHours, at now: Int64) -> Int64? {
        guard let start = QuietHours.minutes(hours.start), let end = QuietHours.minutes(hours.end),
              let zone = TimeZone(identifier: hours.timeZone)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: Double(now) / 1000)
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let inside = start < end ? (start..<end).contains(minute) : (minute >= start || minute < end)
        guard inside else { return nil }
        // The next local wall-clock `end` after now (DST-aware: the calendar finds it).
        let wanted = DateComponents(hour: end / 60, minute: end % 60)
        guard let next = calendar.nextDate(after: date, matching: wanted, matchingPolicy: .nextTime) else { return nil }
        return Int64(next.timeIntervalSince1970 * 1000)
    }

    /// When the cap lets one more marketing message go, given the send times in the window
    /// (oldest first), or nil when it may go now.
    static func frequencyCapEnd(_ cap: FrequencyCap, sentAt times: [Int64], at now: Int64) -> Int64? {
        let inWindow = times.filter { $0 > now - cap.perMilliseconds }
        guard inWindow.count >= cap.max else { return nil }
        // The oldest sends leave the window first; enough must leave for one more to fit.
        return inWindow[inWindow.count - cap.max] + cap.perMilliseconds
    }

    /// `24h`, `90m`, `45s`: a window as rules.json would write it.
    static func describe(duration milliseconds: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000)] where milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds / 1000)s"
    }

    /// `2026-12-01T07:00:00Z`.
    static func describe(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}

/// How often and how late a failing delivery is tried again: exponential backoff with
/// jitter, so that retries from many deliveries do not arrive together.
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included; then the notification fails.
    public var maxAttempts: Int
    /// The wait after the first failed try; each further failure doubles it.
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(2), maxBackoff: Duration = .seconds(15 * 60)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The wait after `attempt` failed tries: between half and all of the doubled backoff.
    func backoffMilliseconds(afterAttempt attempt: Int) -> Int64 {
        let initial = Double(initialBackoff.wholeMilliseconds)
        let ceiling = Double(maxBackoff.wholeMilliseconds)
        let full = min(initial * pow(2, Double(max(0, attempt - 1))), ceiling)
        return Int64(Double.random(in: full / 2...full).rounded())
    }
}
