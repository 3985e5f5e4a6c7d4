import Foundation

/// Reads an envelope's top-level fields without building the body, several times faster
/// than `JSONDecoder`; subscribers read every event's header, so this is their hot path.
///
/// It is strict and modest: on anything it does not fully understand (invalid or unusual
/// JSON, duplicate keys, non-integer numbers, a missing field) it returns nil, and
/// ``EventHeader/decode(from:)`` falls back to `JSONDecoder`, which then decides and
/// explains. When it does return a header, it is the one `JSONDecoder` would produce.
enum EnvelopeHeaderScanner {
    static func scan(_ data: Data) -> EventHeader? {
        data.withUnsafeBytes { buffer in
            var cursor = Cursor(bytes: buffer.bindMemory(to: UInt8.self))
            return cursor.envelope()
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// The top-level keys the header is made of; anything else is skipped.
        private enum Field: Int {
            case id, source, type, occurredAt, customerId, channel, correlationId, causationId, sequence, schemaVersion, data

            static func named(_ key: UnsafeBufferPointer<UInt8>) -> Field? {
                // By length first, then one comparison: no hashing, no allocation.
                func matches(_ name: StaticString) -> Bool {
                    memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
                }
                switch key.count {
                case 2: return matches("id") ? .id : nil
                case 4: return matches("type") ? .type : matches("data") ? .data : nil
                case 6: return matches("source") ? .source : nil
                case 7: return matches("channel") ? .channel : nil
                case 8: return matches("sequence") ? .sequence : nil
                case 10: return matches("occurredAt") ? .occurredAt : matches("customerId") ? .customerId : nil
                case 11: return matches("causationId") ? .causationId : nil
                case 13: return matches("correlationId") ? .correlationId : matches("schemaVersion") ? .schemaVersion : nil
                default: return nil
                }
            }
        }

        // Every event a subscriber receives passes here: no dictionaries, sets or strings
        // for keys, and the time parsed from its bytes.
        mutating func envelope() -> EventHeader? {
            var id: String?, source: String?, type: String?
            var customerId: String?, channel: String?, correlationId: String?, causationId: String?
            var sequence: Int64?
            var schemaVersion: Int64?
            var occurredAt: Timestamp?
            var seen = 0  // a bit per Field
            var otherKeys: [Range<Int>] = []
            guard take(UInt8(ascii: "{")) else { return nil }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    guard let keyRange = rawString(), take(UInt8(ascii: ":")) else { return nil }
                    let key = UnsafeBufferPointer(rebasing: bytes[keyRange])
                    guard let field = Field.named(key) else {
                        // A repeated key is left to JSONDecoder, whatever its name.
                        guard String(validating: key, as: UTF8.self) != nil, !otherKeys.contains(where: { bytes[$0].elementsEqual(key) }),
                              skipValue(depth: 0) else { return nil }
                        otherKeys.append(keyRange)
                        continue
                    }
                    guard seen & (1 << field.rawValue) == 0 else { return nil }
                    seen |= 1 << field.rawValue
                    switch field {
                    case .sequence: guard let value = integer() else { return nil }; sequence = value
                    case .schemaVersion: guard let value = integer() else { return nil }; schemaVersion = value
                    case .data: guard skipValue(depth: 0) else { return nil }
                    case .occurredAt:
                        if literal("null") { continue }
                        guard let range = rawString(), let time = Timestamp(rfc3339UTF8: UnsafeBufferPointer(rebasing: bytes[range])) else {
                            return nil
                        }
                        occurredAt = time
                    default:
                        if literal("null") { continue }
                        guard let value = string() else { return nil }
                        switch field {
                        case .id: id = value
                        case .source: source = value
                        case .type: type = value
                        case .customerId: customerId = value
                        case .channel: channel = value
                        case .correlationId: correlationId = value
                        default: causationId = value
                        }
                    }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipWhitespace()
            guard index == bytes.count, seen & (1 << Field.data.rawValue) != 0,
                  let id, let source, let type, let sequence, let version = schemaVersion, let schemaVersion = Int(exactly: version), let occurredAt
            else { return nil }
            return EventHeader(
                id: id, source: source, sequence: sequence, type: type, schemaVersion: schemaVersion, occurredAt: occurredAt,
                customerId: customerId, channel: channel, correlationId: correlationId, causationId: causationId,
                data: SkippedPayload())
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        /// Skips white space, then consumes `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func literal(_ word: StaticString) -> Bool {
            skipWhitespace()
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// A string without escapes becomes a String; one with escapes is declined (the
        /// fallback decodes it), since envelope fields in practice have none.
        mutating func string() -> String? {
            var nonASCII = false
            guard let range = rawString(nonASCII: &nonASCII) else { return nil }
            let utf8 = UnsafeBufferPointer(rebasing: bytes[range])
            // ASCII is valid UTF-8 as it is; only other bytes need validating.
            return nonASCII ? String(validating: utf8, as: UTF8.self) : String(decoding: utf8, as: UTF8.self)
        }

        /// The byte range of a string's contents, if it has no escapes or control characters.
        mutating func rawString() -> Range<Int>? {
            var nonASCII = false
            return rawString(nonASCII: &nonASCII)
        }

        mutating func rawString(nonASCII: inout Bool) -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            index = JSONStringRun.end(in: bytes, from: index, nonASCII: &nonASCII)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            return start..<index - 1
        }

        mutating func integer() -> Int64? {
            skipWhitespace()
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let start = index
            var value: Int64 = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) = times.addingReportingOverflow(Int64(bytes[index] - 48))
                guard !overflowTimes, !overflowSum else { return nil }
                value = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != 48 else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                return nil
            }
            return negative ? -value : value
        }

        /// Skips one JSON value, checking its structure (strings may contain escapes here).
        mutating func skipValue(depth: Int) -> Bool {
            guard depth < 64 else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                if take(UInt8(ascii: "}")) { return true }
                repeat {
                    guard skipString(), take(UInt8(ascii: ":")), skipValue(depth: depth + 1) else { return false }
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                index += 1
                if take(UInt8(ascii: "]")) { return true }
                repeat {
                    guard skipValue(depth: depth + 1) else { return false }
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "]"))
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default:
                return skipNumber()
            }
        }

        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            let start = index
            var nonASCII = false
            while true {
                index = JSONStringRun.end(in: bytes, from: index, nonASCII: &nonASCII)
                guard index < bytes.count else { return false }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    // Payloads are mostly ASCII, which needs no UTF-8 validation.
                    return !nonASCII || String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self) != nil
                }
                guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else { return false }  // a control character
                let escaped = bytes[index + 1]
                if escaped == UInt8(ascii: "u") {
                    guard index + 5 < bytes.count,
                          (2...5).allSatisfy({ Self.isHexDigit(bytes[index + $0]) }) else { return false }
                    index += 6
                    continue
                }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): index += 2
                default: return false
                }
            }
        }

        /// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func skipNumber() -> Bool {
            func digits(_ cursor: inout Cursor) -> Int {
                let start = cursor.index
                while cursor.index < cursor.bytes.count, cursor.bytes[cursor.index] >= 48, cursor.bytes[cursor.index] <= 57 { cursor.index += 1 }
                return cursor.index - start
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let start = index
            let integerDigits = digits(&self)
            guard integerDigits > 0, integerDigits == 1 || bytes[start] != 48 else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { return false }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { return false }
            }
            return true
        }

        static func isHexDigit(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
    }
}

extension EventEnvelope where Payload == SkippedPayload {
    /// Reads an envelope's header: the fast scanner when it can, `JSONDecoder` otherwise
    /// (which also produces the error for bytes that are not an envelope).
    public static func decode(from data: Data) throws -> EventHeader {
        if let header = EnvelopeHeaderScanner.scan(data) { return header }
        return try ContractCoding.decode(EventHeader.self, from: data)
    }
}
