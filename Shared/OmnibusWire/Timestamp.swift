import Foundation

/// A UTC instant with millisecond precision, written on the wire as RFC 3339 text:
/// `2026-11-23T00:38:11.123Z` (always UTC, always three fractional digits).
///
/// A dedicated type rather than `Date` keeps the wire format exact and cheap to produce:
/// formatting is plain arithmetic, with no formatter object on the hot path.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The current time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// The RFC 3339 text, e.g. `2026-11-23T00:38:11.123Z`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 text as UTF-8, without building intermediate strings.
    func appendRFC3339(to out: inout [UInt8]) {
        let days = millisecondsSince1970.floorDivided(by: 86_400_000)
        let millisOfDay = millisecondsSince1970 - days * 86_400_000
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        guard (0...9999).contains(year) else {
            // Beyond four-digit years (never in practice): the plain way.
            out.append(contentsOf: String(year).utf8)
            return appendRFC3339Rest(month: month, day: day, millisOfDay: millisOfDay, to: &out)
        }
        // Every envelope carries one: filled in a stack buffer and appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            func put(_ value: Int64, width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    text[index] = UInt8(48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, width: 4, at: 0); text[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5); text[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8); text[10] = UInt8(ascii: "T")
            put(millisOfDay / 3_600_000, width: 2, at: 11); text[13] = UInt8(ascii: ":")
            put(millisOfDay / 60_000 % 60, width: 2, at: 14); text[16] = UInt8(ascii: ":")
            put(millisOfDay / 1000 % 60, width: 2, at: 17); text[19] = UInt8(ascii: ".")
            put(millisOfDay % 1000, width: 3, at: 20); text[23] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// `-MM-DDThh:mm:ss.sssZ`, after a year written some other way.
    private func appendRFC3339Rest(month: Int64, day: Int64, millisOfDay: Int64, to out: inout [UInt8]) {
        func digits(_ value: Int64, _ width: Int) {
            let text = String(value)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - text.utf8.count)))
            out.append(contentsOf: text.utf8)
        }
        out.append(UInt8(ascii: "-")); digits(month, 2)
        out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T")); digits(millisOfDay / 3_600_000, 2)
        out.append(UInt8(ascii: ":")); digits(millisOfDay / 60_000 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(millisOfDay / 1000 % 60, 2)
        out.append(UInt8(ascii: ".")); digits(millisOfDay % 1000, 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// Parses RFC 3339 text in UTC (`Z`), with zero to nine fractional digits.
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Timestamp(rfc3339UTF8: $0) }) else { return nil }
        self = value
    }

    /// ``init(rfc3339:)`` on UTF-8 bytes, for scanners that have not made a String.
    init?(rfc3339UTF8 bytes: UnsafeBufferPointer<UInt8>) {
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116,
              bytes[13] == 58, bytes[16] == 58, bytes.last == 90 || bytes.last == 122,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var millisecond: Int64 = 0
        let fractionEnd = bytes.count - 1
        if fractionEnd > 19 {
            guard bytes[19] == 46, fractionEnd > 20, fractionEnd <= 29, let fraction = number(20..<fractionEnd) else {
                return nil
            }
            let digits = fractionEnd - 20
            millisecond = digits >= 3 ? fraction / Self.powerOfTen(digits - 3) : fraction * Self.powerOfTen(3 - digits)
        } else if fractionEnd != 19 {
            return nil
        }
        let days = Self.daysSince1970(year: year, month: month, day: day)
        // A day the month does not have (31 April, 29 February 2026) lands in the next month.
        guard Self.civilDate(daysSince1970: days) == (year, month, day) else { return nil }
        millisecondsSince1970 = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an RFC 3339 UTC time such as 2026-11-23T00:38:11.123Z, got \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear.floorDivided(by: 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func powerOfTen(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
