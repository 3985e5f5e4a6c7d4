import Foundation
import OmnibusWire
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_795_395_053_799), "2026-11-23T00:50:53.799Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(253_402_300_799_999), "9999-12-31T23:59:59.999Z"),
    ])
    func formatsAsRFC3339(milliseconds: Int64, text: String) throws {
        let timestamp = Timestamp(millisecondsSince1970: milliseconds)
        #expect(timestamp.description == text)
        #expect(Timestamp(rfc3339: text) == timestamp)
    }

    @Test func writesYearsPastFourDigitsInFull() {
        // Not RFC 3339 any more (which has four-digit years), but not garbled either.
        #expect(Timestamp(millisecondsSince1970: 253_402_300_800_000).description == "10000-01-01T00:00:00.000Z")
    }

    @Test func agreesWithFoundationForEveryDayOfSeveralYears() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for day in stride(from: Int64(-800), to: 20_000, by: 37) {
            let milliseconds = day * 86_400_000 + 12_345_678
            let timestamp = Timestamp(millisecondsSince1970: milliseconds)
            #expect(timestamp.description == formatter.string(from: timestamp.date))
        }
    }

    @Test func parsesOtherPrecisions() {
        #expect(Timestamp(rfc3339: "2026-11-23T00:50:53Z")?.millisecondsSince1970 == 1_795_395_053_000)
        #expect(Timestamp(rfc3339: "2026-11-23T00:50:53.7Z")?.millisecondsSince1970 == 1_795_395_053_700)
        #expect(Timestamp(rfc3339: "2026-11-23T00:50:53.799999Z")?.millisecondsSince1970 == 1_795_395_053_799)
    }

    @Test(arguments: [
        "", "yesterday", "2026-13-01T00:00:00Z", "2026-11-23 00:50:53Z", "2026-11-23T00:50:53+01:00", "2026-11-23T00:50:53.Z",
        "2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T12:00:00Z", "1900-02-29T00:00:00Z",
    ])
    func rejectsMalformedText(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func acceptsTheLeapDayOfALeapYear() {
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z")?.millisecondsSince1970 == 1_709_164_800_000)
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") != nil)
    }
}
