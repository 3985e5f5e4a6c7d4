import Foundation

/// Why the brand may contact a customer.
public enum ConsentPurpose: String, Codable, Sendable, CaseIterable, Hashable {
    /// Messages about what the customer did: order ready, case answered. Allowed unless
    /// withdrawn (the customer asked for the service).
    case service
    /// Offers and newsletters. Off until the customer opts in.
    case marketing

    /// The answer when the customer never said anything for this purpose.
    public var grantedByDefault: Bool { self == .service }
}

/// The channels a customer can be contacted on.
public enum ContactChannel: String, Codable, Sendable, CaseIterable, Hashable {
    case email, sms, push, messenger, phone
}

/// One consent decision and where it came from.
public struct ConsentState: Codable, Sendable, Equatable {
    public var purpose: ConsentPurpose
    public var channel: ContactChannel
    public var granted: Bool
    /// When it was last changed; nil for a default nobody set.
    public var changedAt: Timestamp?
    /// Who changed it: the channel of the request (`web`, `store`, …) or a named source.
    public var source: String?

    public init(purpose: ConsentPurpose, channel: ContactChannel, granted: Bool, changedAt: Timestamp?, source: String?) {
        self.purpose = purpose
        self.channel = channel
        self.granted = granted
        self.changedAt = changedAt
        self.source = source
    }
}

/// Hours in which no notification should reach the customer, in their time zone.
/// `start` after `end` spans midnight (22:00–07:00).
public struct QuietHours: Codable, Sendable, Equatable {
    /// `HH:MM`, 24-hour.
    public var start: String
    /// `HH:MM`, 24-hour.
    public var end: String
    /// An IANA time zone such as `Europe/Berlin`.
    public var timeZone: String

    public init(start: String, end: String, timeZone: String) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Throws `invalid_argument` unless both times are `HH:MM` and the time zone is known.
    public func validate() throws {
        for (name, time) in [("start", start), ("end", end)] where Self.minutes(time) == nil {
            throw OmnibusError(.invalidArgument, "quiet hours \(name) '\(time.prefix(20))' is not HH:MM")
        }
        guard start != end else { throw OmnibusError(.invalidArgument, "quiet hours start and end are the same") }
        guard timeZone.utf8.count <= 64, TimeZone(identifier: timeZone) != nil else {
            throw OmnibusError(.invalidArgument, "'\(SafeText.escaped(timeZone, maxBytes: 64))' is not a known time zone")
        }
    }

    /// Minutes after midnight of `HH:MM`, or nil.
    public static func minutes(_ time: String) -> Int? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }
}
