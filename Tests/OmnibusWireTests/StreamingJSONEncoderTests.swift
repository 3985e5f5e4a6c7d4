import Foundation
@testable import OmnibusWire
import OmnibusTestSupport
import Testing

/// The one-pass encoder must mean exactly what JSONEncoder means whenever it answers, and
/// leave to JSONEncoder what it cannot write the same way.
@Suite struct StreamingJSONEncoderTests {
    enum Kind: Codable, Equatable { case pickup(store: String), ship(address: [String], express: Bool), none }

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var price: Int64?
        var note: String?
    }

    struct Everything: Codable, Equatable {
        var text: String
        var flag: Bool
        var small: Int8
        var big: UInt64
        var negative: Int64
        var ratio: Double
        var single: Float
        var missing: String?
        var lines: [Line]
        var kind: Kind
        var other: Kind
        var byName: [String: Int]
        var byNumber: [Int: String]
        var nested: [[Int?]]
        var timestamp: Timestamp
        var value: JSONValue
    }

    static let texts = [
        "", "plain", "quote \" backslash \\ slash /", "line\nfeed\ttab\r\u{0}\u{1f}\u{7f}\u{8}\u{c}",
        "ünïcødé 👟 日本", String(repeating: "0123456789abcdef", count: 20) + "\"" + String(repeating: "é", count: 9),
    ]

    static func everything(_ text: String) -> Everything {
        Everything(
            text: text, flag: true, small: -128, big: .max, negative: .min, ratio: -1234.5e-7, single: 0.1,
            missing: nil,
            lines: [Line(sku: text, quantity: 3, price: nil, note: "n"), Line(sku: "b", quantity: 0, price: 1999, note: nil)],
            kind: .ship(address: [text, "x"], express: false), other: .none,
            byName: [text: 1, "two": 2], byNumber: [1: text, -2: "b"], nested: [[1, nil], [], [nil]],
            timestamp: Timestamp(millisecondsSince1970: 1_795_395_053_799),
            value: .object(["a": .array([.number(1.5), .string(text), .bool(false), .null])]))
    }

    @Test(arguments: texts)
    func encodesWhatJSONEncoderMeans(text: String) throws {
        let value = Self.everything(text)
        let bytes = try #require(StreamingJSONEncoder.encode(value), "the fast path takes contract-like values")
        let reference = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(Everything.self, from: bytes) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: bytes) == JSONDecoder().decode(JSONValue.self, from: reference))
        #expect(!String(decoding: bytes, as: UTF8.self).contains(#"\/"#), "slashes are not escaped")
    }

    @Test func encodesTopLevelScalarsAndCollections() throws {
        #expect(StreamingJSONEncoder.encode("a\"b").map { String(decoding: $0, as: UTF8.self) } == #""a\"b""#)
        #expect(StreamingJSONEncoder.encode(42).map { String(decoding: $0, as: UTF8.self) } == "42")
        #expect(StreamingJSONEncoder.encode(2.0).map { String(decoding: $0, as: UTF8.self) } == "2")
        #expect(StreamingJSONEncoder.encode([Int]()).map { String(decoding: $0, as: UTF8.self) } == "[]")
        #expect(StreamingJSONEncoder.encode([String: Int]()).map { String(decoding: $0, as: UTF8.self) } == "{}")
        #expect(StreamingJSONEncoder.encode(Optional<Int>.none).map { String(decoding: $0, as: UTF8.self) } == "null")
    }

    @Test func writesIntegersDigitForDigitAsJSONEncoder() throws {
        let signed: [Int64] = [0, 9, 10, -1, -9, -10, 99, 100, 1_000_007, -1_000_007, .max, .min, .min + 1]
        let unsigned: [UInt64] = [0, 10, 4_294_967_296, .max]
        #expect(try StreamingJSONEncoder.encode(signed) == JSONEncoder().encode(signed))
        #expect(try StreamingJSONEncoder.encode(unsigned) == JSONEncoder().encode(unsigned))
        #expect(try StreamingJSONEncoder.encode([Int8.min, -7, 127]) == JSONEncoder().encode([Int8.min, -7, 127]))
    }

    struct WithData: Codable { var blob = Data([1, 2, 3]) }
    struct WithURL: Codable { var link = URL(string: "https://example.com/a")! }
    struct WithDecimal: Codable { var amount = Decimal(string: "12.34")! }
    struct WithNaN: Codable { var ratio = Double.nan }
    struct WritesNothing: Encodable { func encode(to encoder: any Encoder) throws {} }

    struct Interleaved: Encodable {
        enum Keys: String, CodingKey { case inner, after }
        enum InnerKeys: String, CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var inner = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
            try inner.encode(1, forKey: .a)
            try container.encode(2, forKey: .after)
            try inner.encode(3, forKey: .b)  // back into a container after its parent moved on
        }
    }

    struct InOrderNested: Encodable {
        enum Keys: String, CodingKey { case inner, after }
        enum InnerKeys: String, CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var inner = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .inner)
            try inner.encode(1, forKey: .a)
            try inner.encode(3, forKey: .b)
            try container.encode(2, forKey: .after)
        }
    }

    struct TwoContainers: Encodable {
        enum Keys: String, CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: Keys.self)
            try first.encode(1, forKey: .a)
            var second = encoder.container(keyedBy: Keys.self)
            try second.encode(2, forKey: .b)
        }
    }

    struct UsesSuper: Encodable {
        enum Keys: String, CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try 5.encode(to: container.superEncoder())
        }
    }

    @Test func leavesToJSONEncoderWhatItWouldWriteDifferently() throws {
        #expect(StreamingJSONEncoder.encode(WithData()) == nil)
        #expect(StreamingJSONEncoder.encode(WithURL()) == nil)
        #expect(StreamingJSONEncoder.encode(WithDecimal()) == nil)
        #expect(StreamingJSONEncoder.encode(WithNaN()) == nil)
        #expect(StreamingJSONEncoder.encode(WritesNothing()) == nil)
        #expect(StreamingJSONEncoder.encode(Interleaved()) == nil)
        #expect(StreamingJSONEncoder.encode(TwoContainers()) == nil)
        #expect(StreamingJSONEncoder.encode(UsesSuper()) == nil)
        // ContractCoding still encodes them, as JSONEncoder does.
        #expect(try ContractCoding.encode(WithData()) == JSONEncoder().encode(WithData()))
        let interleaved = try JSONDecoder().decode(JSONValue.self, from: ContractCoding.encode(Interleaved()))
        #expect(interleaved == .object(["inner": .object(["a": .number(1), "b": .number(3)]), "after": .number(2)]))
        #expect(throws: EncodingError.self) { try ContractCoding.encode(WithNaN()) }
    }

    @Test func takesNestedContainersUsedInOrder() throws {
        let bytes = try #require(StreamingJSONEncoder.encode(InOrderNested()))
        #expect(try JSONDecoder().decode(JSONValue.self, from: bytes)
            == .object(["inner": .object(["a": .number(1), "b": .number(3)]), "after": .number(2)]))
    }
}

/// The eight-bytes-at-a-time search must find exactly what a byte-by-byte one finds.
@Suite struct JSONStringRunTests {
    static func naiveEnd(_ bytes: [UInt8], from start: Int) -> (end: Int, nonASCII: Bool) {
        var index = start
        var nonASCII = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { nonASCII = true }
            index += 1
        }
        return (index, nonASCII)
    }

    @Test func findsTheSameEndAsAByteByByteSearch() {
        var random = SeededGenerator(seed: 8)
        // Mostly plain bytes with the odd special or high one, at every offset within a word.
        let plain = Array(0x20...0x7E).map(UInt8.init).filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        let rare: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x0A, 0x80, 0xC3, 0xFF, 0x21, 0x5B, 0x5D, 0x1F]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...40, using: &random)
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<12, using: &random) == 0 ? rare.randomElement(using: &random)! : plain.randomElement(using: &random)!
            }
            let start = Int.random(in: 0...count, using: &random)
            var nonASCII = false
            let end = bytes.withUnsafeBufferPointer { JSONStringRun.end(in: $0, from: start, nonASCII: &nonASCII) }
            let expected = Self.naiveEnd(bytes, from: start)
            #expect(end == expected.end, "bytes \(bytes) from \(start)")
            #expect(nonASCII == expected.nonASCII, "bytes \(bytes) from \(start)")
        }
    }
}
