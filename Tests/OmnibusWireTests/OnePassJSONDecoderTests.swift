import Foundation
import Testing
@testable import OmnibusWire

/// The one-pass decoder answers exactly as Foundation's JSONDecoder does, or leaves the
/// document to it (nil) — never a different value.
@Suite struct OnePassJSONDecoderTests {
    struct Sample: Codable, Equatable {
        struct Line: Codable, Equatable {
            var sku: String
            var quantity: Int
            var priceMinor: Int64
            var note: String?
        }
        var id: String
        var version: Int64
        var lines: [Line]
        var flags: [String: Bool]
        var ratio: Double
        var enabled: Bool
        var comment: String?
        var count: Int?
        var grid: [[Int]]
        var small: UInt8
        var signed: Int32
    }

    private static let ordinary = #"""
        {"id":"cus_1","version":3,"lines":[{"sku":"tee-white-m","quantity":2,"priceMinor":1999},
        {"sku":"shoe","quantity":1,"priceMinor":8999,"note":"gift \"wrap\"\nplease \u00e9 \ud83d\ude00 é"}],
        "flags":{"a":true,"b":false},"ratio":-0.25e1,"enabled":true,"comment":null,"grid":[[],[1,-2]],
        "small":255,"signed":-2147483648,"unknown":{"deep":[1,2.5,"x",null,{"k":[]}]}}
        """#

    @Test func decodesAContractShapedDocumentAsFoundationDoes() throws {
        let data = Data(Self.ordinary.utf8)
        let onePass = try #require(OnePassJSONDecoder.decode(Sample.self, from: data))
        #expect(onePass == (try JSONDecoder().decode(Sample.self, from: data)))
        #expect(onePass.lines[1].note == "gift \"wrap\"\nplease é 😀 é")
        #expect(onePass.comment == nil && onePass.count == nil && onePass.signed == Int32.min && onePass.ratio == -2.5)
    }

    @Test(arguments: [
        // Foundation reads these as integers; the one-pass decoder leaves them to it.
        (#"{"v":1.0}"#, "1"), (#"{"v":1e2}"#, "100"),
        // Foundation keeps the first of duplicate keys, and skips invalid UTF-8 it never reads.
        (#"{"v":1,"v":2}"#, "1"), (#"{"v":5,"w":"\#u{FF}"}"#, "5"),
        (#"{"\u0076":7}"#, "7"),
        // Foundation lets pass a trailing comma in an object and, in a field it never reads, a
        // lone surrogate or a raw control character.
        (#"{"v":1,}"#, "1"), (#"{"v":1,"s":"\ud800"}"#, "1"), ("{\"v\":1,\"s\":\"tab\tinside\"}", "1"),
    ])
    func leavesWhatItCannotPromiseToFoundation(document: String, expected: String) throws {
        struct Holder: Decodable { var v: Int }
        let data = Data(document.utf8).replacingInvalidMarker()
        #expect(OnePassJSONDecoder.decode(Holder.self, from: data) == nil)
        #expect(try "\(ContractCoding.decode(Holder.self, from: data).v)" == expected)
    }

    @Test(arguments: [
        #"{"v":1.5}"#, #"{"v":9223372036854775808}"#, #"{"w":1}"#, #"{"v":"1"}"#, #"{"v":01}"#, #"{"v":1.}"#,
        #"{"v":.5}"#, #"{"v":-}"#, #"{"v":[1,]}"#, #"{"v":1} x"#,
        #"{"v":1,"s":"open}"#, #"{"v":1e400}"#, "", "nul",
    ])
    func failsWhereFoundationFails(document: String) {
        struct Holder: Decodable { var v: Int }
        let data = Data(document.utf8)
        #expect(OnePassJSONDecoder.decode(Holder.self, from: data) == nil)
        #expect((try? JSONDecoder().decode(Holder.self, from: data)) == nil)
        #expect(throws: (any Error).self) { try ContractCoding.decode(Holder.self, from: data) }
    }

    /// Foundation compares keys as Strings: a decomposed and a precomposed "é" are one key.
    @Test func leavesNonASCIIKeysToFoundation() throws {
        let data = Data("{\"e\u{301}\":1,\"\u{E9}\":2}".utf8)
        #expect(OnePassJSONDecoder.decode([String: Int].self, from: data) == nil)
        #expect(try ContractCoding.decode([String: Int].self, from: data) == JSONDecoder().decode([String: Int].self, from: data))
        struct Kelvin: Decodable {
            enum CodingKeys: String, CodingKey { case kelvin = "\u{212A}" }
            var kelvin: Int?
        }
        let ascii = Data(#"{"K":3}"#.utf8)
        #expect(OnePassJSONDecoder.decode(Kelvin.self, from: ascii) == nil)
        #expect(try ContractCoding.decode(Kelvin.self, from: ascii).kelvin == JSONDecoder().decode(Kelvin.self, from: ascii).kelvin)
    }

    @Test(arguments: ["[1e-400]", "[-1e-400]", "[2.4703282292062327e-324]", "[0e1]", "[0.00e1]", "0e1", "[0e10]", "[0.0]", "[-0e1]"])
    func readsZerosAsFoundationDoes(document: String) {
        let data = Data(document.utf8)
        let foundation = (try? JSONDecoder().decode([Double].self, from: data)) ?? (try? JSONDecoder().decode(Double.self, from: data)).map { [$0] }
        let onePass = OnePassJSONDecoder.decode([Double].self, from: data) ?? OnePassJSONDecoder.decode(Double.self, from: data).map { [$0] }
        #expect(onePass == nil || onePass.map { $0.map(\.bitPattern) } == foundation.map { $0.map(\.bitPattern) })
    }

    /// A type that catches its element's error and reads the element another way: Foundation
    /// stays on the element that failed.
    @Test func aCaughtErrorOfTheValuesOwnIsLeftToFoundation() throws {
        enum Color: String, Decodable { case red, blue }
        struct Lossy: Decodable, Equatable {
            var colors: [Color] = []
            var skipped: [String] = []
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                while !container.isAtEnd {
                    if let color = try? container.decode(Color.self) { colors.append(color) } else { skipped.append(try container.decode(String.self)) }
                }
            }
        }
        let data = Data(#"["red","purple","blue"]"#.utf8)
        #expect(OnePassJSONDecoder.decode(Lossy.self, from: data) == nil)
        #expect(try ContractCoding.decode(Lossy.self, from: data) == JSONDecoder().decode(Lossy.self, from: data))
        let dictionary = Data(#"{"1":"a","01":"b"}"#.utf8)
        #expect(OnePassJSONDecoder.decode([Int: String].self, from: dictionary) == nil)
    }

    @Test func leavesDeepNestingAndLargeDocumentsToFoundation() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(OnePassJSONDecoder.decode(JSONValue.self, from: Data(deep.utf8)) == nil)
        let large = Data("{\"v\":\"\(String(repeating: "K", count: OnePassJSONDecoder.maximumBytes))\"}".utf8)
        #expect(OnePassJSONDecoder.decode(JSONValue.self, from: large) == nil)
        #expect(try ContractCoding.decode(JSONValue.self, from: large) == .object(["v": .string(String(repeating: "K", count: 65536))]))
    }

    @Test func readsJSONValuesAsFoundationDoes() throws {
        let data = Data(#"{"big":9007199254740993,"huge":18446744073709551616,"half":0.5,"t":true,"n":null,"a":[1,"x"]}"#.utf8)
        let onePass = try #require(OnePassJSONDecoder.decode(JSONValue.self, from: data))
        let foundation = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(onePass == foundation && onePass.kinds == foundation.kinds)
        guard case .object(let members) = onePass else { Issue.record("not an object"); return }
        #expect(members["big"] == .integer(9_007_199_254_740_993))
        #expect(members["huge"]?.kinds == "number")
    }

    /// Thousands of generated documents: random key order, whitespace, escapes, unknown
    /// members and numbers at the edges of their types.
    @Test func randomDocumentsDecodeAsFoundationDecodesThem() throws {
        var generator = DocumentGenerator(seed: 0x0DEC0DE)
        var answered = 0
        let documents = 3_000
        for _ in 0..<documents {
            let data = Data(generator.sample().utf8)
            let foundation = try? JSONDecoder().decode(Sample.self, from: data)
            guard let onePass = OnePassJSONDecoder.decode(Sample.self, from: data) else { continue }
            answered += 1
            #expect(onePass == foundation, "\(String(decoding: data, as: UTF8.self))")
        }
        // Most documents are ordinary: the fast path must be the usual one, not the exception.
        #expect(answered > documents / 2, "answered \(answered) of \(documents)")

        for _ in 0..<documents {
            let data = Data(generator.value(depth: 0).utf8)
            let foundation = try? JSONDecoder().decode(JSONValue.self, from: data)
            guard let onePass = OnePassJSONDecoder.decode(JSONValue.self, from: data) else { continue }
            #expect(onePass == foundation && onePass.kinds == foundation?.kinds, "\(String(decoding: data, as: UTF8.self))")
        }
    }
}

extension Data {
    /// Test documents write `\u{FF}` for a byte that is not UTF-8.
    fileprivate func replacingInvalidMarker() -> Data {
        Data(String(decoding: self, as: UTF8.self).unicodeScalars.flatMap { scalar -> [UInt8] in
            scalar == "\u{FF}" ? [0xFF] : Array(String(scalar).utf8)
        })
    }
}

extension JSONValue {
    /// The value's cases all the way down (`==` treats an integer and an equal number alike).
    fileprivate var kinds: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array(let elements): "[" + elements.map(\.kinds).joined(separator: ",") + "]"
        case .object(let members): "{" + members.keys.sorted().map { "\($0):\(members[$0]!.kinds)" }.joined(separator: ",") + "}"
        }
    }
}

/// Deterministic JSON text for the differential test (SplitMix64).
private struct DocumentGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func pick<Element>(_ options: [Element]) -> Element { options[Int(next() % UInt64(options.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    mutating func space() -> String { pick(["", "", " ", "\n  ", "\t", "\r\n"]) }

    mutating func string() -> String {
        let pieces = ["a", "Z", "0", " ", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\u0000",
                      "cart", "-", "_"]
        return "\"" + (0..<Int(next() % 6)).map { _ in pick(pieces) }.joined() + "\""
    }

    /// Mostly a value of `range`, sometimes one of `edges` (out of range, or not plainly written).
    mutating func integer(in range: ClosedRange<Int64> = Int64.min...Int64.max, _ edges: [String]) -> String {
        if chance(8) { return pick(edges) }
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        let offset = width == UInt64.max ? next() : next() % (width + 1)
        return String(range.lowerBound &+ Int64(bitPattern: offset))
    }

    mutating func number() -> String {
        pick(["0", "-0", "1.5", "-2.25e3", "1E-2", "3.0", "1e2", "123456789012345678901234", "0.1", "-7"])
    }

    mutating func value(depth: Int) -> String {
        switch next() % (depth > 3 ? 5 : 7) {
        case 0: return "null"
        case 1: return pick(["true", "false"])
        case 2: return integer(["9223372036854775807", "-9223372036854775808", "9223372036854775808"])
        case 3: return number()
        case 4: return string()
        case 5: return "[" + (0..<Int(next() % 4)).map { _ in space() + value(depth: depth + 1) + space() }.joined(separator: ",") + "]"
        default:
            let keys = Set((0..<Int(next() % 4)).map { _ in pick(["k", "key", "é", "a b", "x1", "y"]) })
            return "{" + keys.map { "\(space())\"\($0)\"\(space()):\(space())\(value(depth: depth + 1))" }.joined(separator: ",") + "}"
        }
    }

    mutating func line() -> String {
        var members = [
            "\"sku\":\(string())", "\"quantity\":\(integer(in: -5...100, ["9223372036854775807", "1.0", "1e2"]))",
            "\"priceMinor\":\(integer(["-9223372036854775808", "9223372036854775808"]))",
        ]
        if chance(50) { members.append("\"note\":\(chance(30) ? "null" : string())") }
        if chance(20) { members.append("\"extra\":\(value(depth: 2))") }
        return "{" + shuffled(members).joined(separator: ",\(space())") + "}"
    }

    mutating func sample() -> String {
        let lines = (0..<Int(next() % 4)).map { _ in line() }.joined(separator: ",")
        let flagNames = Set((0..<Int(next() % 3)).map { _ in pick(["a", "b", "c"]) })
        let flags = flagNames.map { "\"\($0)\":\(pick(["true", "false"]))" }.joined(separator: ",")
        let grid = (0..<Int(next() % 3)).map { _ in "[\(integer(in: -9...9, ["0.5"]))]" }.joined(separator: ",")
        let enabled = chance(5) ? "1" : pick(["true", "false"])
        var members: [String] = []
        members.append("\"id\":\(string())")
        members.append("\"version\":\(integer(in: 0...1_000_000, ["1e0", "-0"]))")
        members.append("\"lines\":[\(lines)]")
        members.append("\"flags\":{\(flags)}")
        members.append("\"ratio\":\(number())")
        members.append("\"enabled\":\(enabled)")
        members.append("\"grid\":[\(grid)]")
        members.append("\"small\":\(integer(in: 0...255, ["256", "-1"]))")
        members.append("\"signed\":\(integer(in: Int64(Int32.min)...Int64(Int32.max), ["-2147483649", "2147483648"]))")
        if chance(50) { members.append("\"comment\":\(chance(30) ? "null" : string())") }
        if chance(50) { members.append("\"count\":\(chance(30) ? "null" : integer(in: 0...9, ["1.5"]))") }
        if chance(40) { members.append("\"unknown\":\(value(depth: 1))") }
        let body = shuffled(members).map { space() + $0 + space() }.joined(separator: ",")
        return space() + "{" + body + "}" + space()
    }

    mutating func shuffled(_ members: [String]) -> [String] {
        var members = members
        for index in stride(from: members.count - 1, to: 0, by: -1) {
            members.swapAt(index, Int(next() % UInt64(index + 1)))
        }
        return members
    }
}
