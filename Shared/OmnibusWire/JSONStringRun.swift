/// Finds where a run of bytes that a JSON string holds as is — no `"`, `\` or control
/// character — ends, eight bytes at a time. Event payloads are mostly such runs, and every
/// envelope is written once and scanned by each subscriber, byte by byte before this.
package enum JSONStringRun {
    /// The index of the first byte at or after `start` that is `"`, `\` or below 0x20
    /// (`bytes.count` if none); `nonASCII` becomes true if the run held a byte ≥ 0x80.
    static func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, nonASCII: inout Bool) -> Int {
        var index = start
        var highBits: UInt64 = 0
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if hasSpecialByte(word) { break }
                highBits |= word
                index += 8
            }
        }
        if highBits & 0x8080_8080_8080_8080 != 0 { nonASCII = true }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { nonASCII = true }
            index += 1
        }
        return index
    }

    /// Appends `value` as a JSON string literal: RFC 8259 escaping, `/` left as is,
    /// non-ASCII as UTF-8. Plain runs (nearly everything) are copied whole.
    package static func appendLiteral(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            var nonASCII = false
            while true {
                let runEnd = end(in: utf8, from: runStart, nonASCII: &nonASCII)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<runEnd]))
                guard runEnd < utf8.count else { break }
                appendEscaped(utf8[runEnd], to: &out)
                runStart = runEnd + 1
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(contentsOf: [UInt8(ascii: "u"), 48, 48, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]])
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of the word's eight bytes is `"`, `\` or below 0x20 (exact, no false positives).
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) || hasByteBelow0x20(word)
    }

    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    @inline(__always)
    private static func hasByteBelow0x20(_ word: UInt64) -> Bool {
        (word &- ones &* 0x20) & ~word & highs != 0
    }
}
