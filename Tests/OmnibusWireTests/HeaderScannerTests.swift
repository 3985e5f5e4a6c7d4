import Foundation
@testable import OmnibusWire
import OmnibusTestSupport
import Testing

/// The fast header scanner must agree with JSONDecoder whenever it answers at all.
@Suite struct HeaderScannerTests {
    static let canonical = #"{"id":"e-1","source":"orders","sequence":42,"type":"cart.item_added","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53.358Z","customerId":"cus_1","channel":"app","correlationId":"c","causationId":"r","data":{"sku":"s","n":[1,2.5e3,-0.1,true,false,null,"x\"\\\u00e9"]}}"#

    static let valid = [
        canonical,
        #"  { "data" : {} , "occurredAt":"2026-11-23T00:50:53Z", "type":"t", "sequence": 0, "source":"s", "id":"i", "schemaVersion":2 }  "#,
        #"{"id":"i","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53.358Z","customerId":null,"data":null,"future":{"a":[{}]}}"#,
        #"{"id":"ünï 👟","source":"s","sequence":-5,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53.358Z","data":"text"}"#,
        #"{"id":"esc\"aped","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53.358Z","data":1}"#,
    ]

    @Test(arguments: valid)
    func agreesWithJSONDecoderOnValidEnvelopes(json: String) throws {
        let bytes = Data(json.utf8)
        let reference = try ContractCoding.decode(EventHeader.self, from: bytes)
        #expect(try EventHeader.decode(from: bytes) == reference)
    }

    @Test func takesTheFastPathOnWhatProducersWrite() {
        #expect(EnvelopeHeaderScanner.scan(Data(Self.canonical.utf8)) != nil)
    }

    @Test(arguments: [
        "", "{", "[]", "{}", #"{"id":"i"}"#, #"{"id":1,"source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53Z","data":{}}"#,
        #"{"id":"i","source":"s","sequence":1.5,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53Z","data":{}}"#,
        #"{"id":"i","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"yesterday","data":{}}"#,
        #"{"id":"i","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53Z","data":{"a":tru}}"#,
        #"{"id":"i","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53Z","data":{}} trailing"#,
        #"{"id":"i","source":"s","sequence":1,"type":"t","schemaVersion":1,"occurredAt":"2026-11-23T00:50:53Z"}"#,
    ])
    func rejectsWhatJSONDecoderRejects(json: String) {
        #expect(throws: (any Error).self) { try EventHeader.decode(from: Data(json.utf8)) }
    }

    @Test func neverAnswersDifferentlyOnMutatedEnvelopes() throws {
        var random = SeededGenerator(seed: 20_261_123)  // fixed, so a failure reproduces
        let original = Array(Self.canonical.utf8)
        let alphabet = Array(#"{}[]",:0123456789.-eE\ ntrufalse"#.utf8) + [0x00, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                }
            }
            let data = Data(bytes)
            guard let fast = EnvelopeHeaderScanner.scan(data) else { continue }
            let reference = try? ContractCoding.decode(EventHeader.self, from: data)
            #expect(fast == reference, "scanner and JSONDecoder disagree on \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}

