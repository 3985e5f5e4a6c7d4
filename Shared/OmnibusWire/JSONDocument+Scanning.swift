/// Validation by skipping: each function returns the index just past what it read, or nil
/// where the bytes are not JSON — or are JSON that ``OnePassJSONDecoder`` leaves to
/// Foundation (invalid UTF-8, lone surrogates, deep nesting).
extension JSONDocument {
    func skipWhitespace(_ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return index
            }
        }
        return index
    }

    /// The end of the value starting at `start`.
    func valueEnd(_ start: Int, depth: Int) -> Int? {
        guard start < bytes.count, depth <= Self.maximumDepth else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""): return stringEnd(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["): return containerEnd(start, depth: depth)
        case UInt8(ascii: "t"): return literalEnd(start, "true")
        case UInt8(ascii: "f"): return literalEnd(start, "false")
        case UInt8(ascii: "n"): return literalEnd(start, "null")
        default: return numberEnd(start)
        }
    }

    /// The end of the object or array whose opening bracket is at `start`. `visit` sees each
    /// member as it is read — its key between the quotes (nil in an array) and its value — and
    /// ends the walk, as invalid, by returning false: the one walk both validation and the
    /// decoder's containers (``members(_:)``, ``elements(_:)``) go through.
    func containerEnd(_ start: Int, depth: Int, visit: (_ key: JSONSpan?, _ value: JSONSpan) -> Bool = { _, _ in true }) -> Int? {
        let keyed = bytes[start] == UInt8(ascii: "{")
        let closer = keyed ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var index = skipWhitespace(start + 1)
        guard index < bytes.count else { return nil }
        if bytes[index] == closer { return index + 1 }
        while true {
            var key: JSONSpan?
            if keyed {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let keyEnd = stringEnd(index) else { return nil }
                key = JSONSpan(start: index + 1, end: keyEnd - 1)
                index = skipWhitespace(keyEnd)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index = skipWhitespace(index + 1)
            }
            guard let end = valueEnd(index, depth: depth + 1), visit(key, JSONSpan(start: index, end: end)) else { return nil }
            index = skipWhitespace(end)
            guard index < bytes.count else { return nil }
            if bytes[index] == closer { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipWhitespace(index + 1)
        }
    }

    private func literalEnd(_ start: Int, _ literal: StaticString) -> Int? {
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[start + offset] != literal.utf8Start[offset] { return nil }
        return start + count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private func numberEnd(_ start: Int) -> Int? {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard let end = digitsEnd(index) else { return nil }
            index = end
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            guard let end = digitsEnd(index + 1) else { return nil }
            index = end
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard let end = digitsEnd(index) else { return nil }
            index = end
        }
        return index
    }

    /// The end of one or more digits from `start`.
    private func digitsEnd(_ start: Int) -> Int? {
        var index = start
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") <= 9 { index += 1 }
        return index > start ? index : nil
    }

    /// The end of the string whose opening quote is at `start`: no raw control characters,
    /// valid escapes (surrogates in pairs), valid UTF-8.
    func stringEnd(_ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return index + 1
            case UInt8(ascii: "\\"):
                guard let end = escapeEnd(index) else { return nil }
                index = end
            case 0..<0x20:
                return nil
            case 0x20..<0x80:
                index += 1
            default:
                guard let end = scalarEnd(index) else { return nil }
                index = end
            }
        }
        return nil
    }

    /// The end of the escape whose backslash is at `start`; a high surrogate must be followed
    /// by an escaped low one.
    private func escapeEnd(_ start: Int) -> Int? {
        guard start + 1 < bytes.count else { return nil }
        switch bytes[start + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return start + 2
        case UInt8(ascii: "u"):
            guard let unit = hexUnit(start + 2) else { return nil }
            switch unit {
            case 0xD800..<0xDC00:
                guard start + 7 < bytes.count, bytes[start + 6] == UInt8(ascii: "\\"), bytes[start + 7] == UInt8(ascii: "u"),
                      let low = hexUnit(start + 8), (0xDC00..<0xE000).contains(low) else { return nil }
                return start + 12
            case 0xDC00..<0xE000:
                return nil
            default:
                return start + 6
            }
        default:
            return nil
        }
    }

    /// The four hex digits at `start` as a UTF-16 unit.
    func hexUnit(_ start: Int) -> UInt16? {
        guard start + 4 <= bytes.count else { return nil }
        var unit: UInt16 = 0
        for byte in bytes[start..<(start + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// The end of the multi-byte UTF-8 scalar at `start` (no overlong forms, no surrogates,
    /// nothing past U+10FFFF).
    private func scalarEnd(_ start: Int) -> Int? {
        let lead = bytes[start]
        let (length, secondRange): (Int, ClosedRange<UInt8>)
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return nil
        }
        guard start + length <= bytes.count, secondRange.contains(bytes[start + 1]) else { return nil }
        for index in (start + 2)..<(start + length) where !(0x80...0xBF).contains(bytes[index]) { return nil }
        return start + length
    }

    /// A validated string's text with its escapes resolved.
    func unescaped(_ inner: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(inner.count)
        var index = inner.startIndex
        while index < inner.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hexUnit(index)!)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (UInt32(hexUnit(index + 2)!) - 0xDC00)
                    index += 6
                }
                utf8.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
            default: utf8.append(escaped)  // " \ /
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
