import Foundation

/// Decodes contract values straight from JSON bytes, for the request, reply and event paths
/// where Foundation's `JSONDecoder` was a third of a client's CPU per command.
///
/// It answers only where it can promise Foundation's answer, and returns nil everywhere else
/// (``ContractCoding/decode(_:from:)`` then asks `JSONDecoder`, whose errors carry the coding
/// path): on any error inside a value it decodes, caught by the type or not; on numbers with a
/// fraction or exponent read as integers, doubles that overflow or underflow, `Float`,
/// `Int128`; on duplicate, escaped or non-ASCII keys, or integer keys that parse alike; on
/// `Date`, `Data`, `URL` and `Decimal`, which `JSONDecoder` treats specially; on anything its
/// validation is stricter about (invalid UTF-8 or a lone surrogate anywhere, containers nested
/// deeper than ``JSONDocument/maximumDepth``); on documents over ``maximumBytes``. Containers
/// report an empty `codingPath`, as the one-pass encoder's do. `omnibus-bench codec` measures
/// it against Foundation; `OnePassJSONDecoderTests` hold it to Foundation's results.
enum OnePassJSONDecoder {
    /// Larger documents (rare: bulk seeds, oversized requests) go straight to Foundation; the
    /// commands, replies and events this is for are a few hundred bytes.
    static let maximumBytes = 64 << 10

    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) -> Value? {
        if data.count > maximumBytes || JSONDocument.isTreatedSpecially(Value.self) { return nil }
        let document = JSONDocument(data)
        guard let root = document.root(),
              let value = try? Value(from: OnePassDecoder(document: document, value: root)),
              !document.bailed else { return nil }
        return value
    }
}

/// A JSON value's bytes: from its first byte to just past its last.
struct JSONSpan {
    var start: Int
    var end: Int
}

/// An object member: its key's bytes between the quotes, and its value.
struct JSONMember {
    var key: JSONSpan
    var value: JSONSpan
}

/// The document being decoded, and whether decoding it had to give up.
final class JSONDocument {
    let bytes: [UInt8]
    /// Set by anything Foundation might answer differently; the result is then discarded.
    private(set) var bailed = false
    /// Contracts nest a few levels; deeper documents go to Foundation, which also bounds the
    /// re-validation each nested container does of its span.
    static let maximumDepth = 64
    private static let maximumMembers = 128

    init(_ data: Data) {
        bytes = [UInt8](data)
    }

    /// Marks the decode as given up, returning the error to throw.
    func bail() -> any Error {
        bailed = true
        return GaveUp()
    }

    private struct GaveUp: Error {}

    static func isTreatedSpecially(_ type: Any.Type) -> Bool {
        type == Date.self || type == Data.self || type == URL.self || type == Decimal.self || type == Float.self
    }

    /// The whole document's value, validated, with nothing but whitespace after it.
    func root() -> JSONSpan? {
        let start = skipWhitespace(0)
        guard let end = valueEnd(start, depth: 0), skipWhitespace(end) == bytes.count else { return nil }
        return JSONSpan(start: start, end: end)
    }

    // MARK: Containers

    /// An object's members in document order; nil if `span` is not an object, or has a
    /// duplicate, escaped or non-ASCII key, or too many members to check for duplicates cheaply.
    func members(_ span: JSONSpan) -> [JSONMember]? {
        guard bytes[span.start] == UInt8(ascii: "{") else { return nil }
        var members: [JSONMember] = []
        let end = containerEnd(span.start, depth: 0) { key, value in
            // Escaped or non-ASCII keys are left to Foundation, which compares keys as Strings
            // (canonical equivalence: a decomposed "é" is the same key as a precomposed one).
            guard let key, !bytes[key.start..<key.end].contains(where: { $0 == UInt8(ascii: "\\") || $0 >= 0x80 }),
                  members.count < Self.maximumMembers,
                  !members.contains(where: { sameBytes($0.key, key) }) else { return false }
            members.append(JSONMember(key: key, value: value))
            return true
        }
        return end == nil ? nil : members
    }

    /// An array's elements; nil if `span` is not an array.
    func elements(_ span: JSONSpan) -> [JSONSpan]? {
        guard bytes[span.start] == UInt8(ascii: "[") else { return nil }
        var elements: [JSONSpan] = []
        let end = containerEnd(span.start, depth: 0) { _, value in
            elements.append(value)
            return true
        }
        return end == nil ? nil : elements
    }

    /// Whether a member's key is `name`.
    func key(_ key: JSONSpan, is name: String) -> Bool {
        var name = name
        let length = key.end - key.start
        return name.withUTF8 { utf8 in
            guard utf8.count == length else { return false }
            guard length > 0 else { return true }
            return bytes.withUnsafeBufferPointer { all in memcmp(all.baseAddress! + key.start, utf8.baseAddress!, length) == 0 }
        }
    }

    /// A key's text (keys are plain ASCII here: ``members(_:)`` gives up on any other).
    func keyText(_ key: JSONSpan) -> String {
        String(decoding: bytes[key.start..<key.end], as: UTF8.self)
    }

    private func sameBytes(_ a: JSONSpan, _ b: JSONSpan) -> Bool {
        a.end - a.start == b.end - b.start && bytes[a.start..<a.end].elementsEqual(bytes[b.start..<b.end])
    }

    // MARK: Scalars

    func isNull(_ span: JSONSpan) -> Bool { bytes[span.start] == UInt8(ascii: "n") }

    func bool(_ span: JSONSpan) -> Bool? {
        switch bytes[span.start] {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: nil
        }
    }

    /// A string's text; nil if `span` is not a string or holds a lone surrogate escape.
    func string(_ span: JSONSpan) -> String? {
        guard bytes[span.start] == UInt8(ascii: "\"") else { return nil }
        let inner = bytes[(span.start + 1)..<(span.end - 1)]
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return unescaped(inner)
    }

    /// An integer written without fraction or exponent that fits `Integer`; nil otherwise
    /// (Foundation reads `1.0` and `1e2` as integers too: those are left to it).
    func integer<Integer: FixedWidthInteger>(_ span: JSONSpan, as _: Integer.Type) -> Integer? {
        var index = span.start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        while index < span.end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        guard negative else { return Integer(exactly: magnitude) }
        if magnitude == 0 { return 0 }
        guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
        return Integer(exactly: magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
    }

    /// A number as a `Double`, if finite and not underflowed: `Double(String)` reads 1e-400 as
    /// 0, which Foundation refuses — and it refuses some true zeros written with an exponent,
    /// so any zero but a plain one is left to it.
    func double(_ span: JSONSpan) -> Double? {
        let first = bytes[span.start]
        let text = bytes[span.start..<span.end]
        guard first == UInt8(ascii: "-") || (first &- UInt8(ascii: "0")) <= 9,
              let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return nil }
        if value == 0, text.contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) || $0 | 0x20 == UInt8(ascii: "e") }) {
            return nil
        }
        return value
    }

    /// Whether `span` is a number written as a plain integer (no fraction, no exponent).
    func isPlainInteger(_ span: JSONSpan) -> Bool {
        let first = bytes[span.start]
        guard first == UInt8(ascii: "-") || (first &- UInt8(ascii: "0")) <= 9 else { return false }
        return !bytes[span.start..<span.end].contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }
}
