import Foundation

/// How much of its event log a service keeps: events older than ``maxAge`` and, beyond
/// ``maxBytes`` of envelopes, the oldest ones are removed (``LogTrimmer``). A subscriber whose
/// position falls before what is kept bootstraps from the service's snapshot instead
/// (docs/PROTOCOL.md). The newest event and events not yet published are always kept.
public struct EventRetention: Sendable, Equatable {
    /// Events recorded longer ago than this go; nil: no age limit.
    public var maxAge: Duration?
    /// Envelope bytes kept at most (the oldest go first); nil: no size limit.
    public var maxBytes: Int64?

    public init(maxAge: Duration?, maxBytes: Int64?) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }

    /// A week, and at most 1 GiB of envelopes: room for a consumer to be down over a long
    /// weekend and catch up from the log, at about 1.4 million events of 750 bytes.
    public static let standard = EventRetention(maxAge: .seconds(7 * 86_400), maxBytes: 1 << 30)
    /// Everything is kept (the behaviour before retention existed).
    public static let forever = EventRetention(maxAge: nil, maxBytes: nil)

    /// Reads a duration as operators write it: `30s`, `15m`, `12h`, `7d`; `0` or `forever`: no limit.
    public static func parseAge(_ text: String) -> Duration?? {
        if text == "0" || text == "forever" { return .some(nil) }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount > 0 else { return nil }
        let seconds: Int64? = switch unit {
        case "s": amount
        case "m": amount.multipliedReportingOverflow(by: 60).overflow ? nil : amount * 60
        case "h": amount.multipliedReportingOverflow(by: 3600).overflow ? nil : amount * 3600
        case "d": amount.multipliedReportingOverflow(by: 86_400).overflow ? nil : amount * 86_400
        default: nil
        }
        return seconds.map { .some(.seconds($0)) }
    }
}
