import Foundation
import OmnibusContracts
import Testing

@Suite struct EnvelopeWriterTests {
    @Test(arguments: ["plain", "quote \" backslash \\ slash /", "line\nfeed\ttab\r\u{0}\u{1f}", "ünïcødé 👟 日本"])
    func writtenEnvelopeDecodesToTheSameValues(text: String) throws {
        let data = try JSONEncoder().encode(["note": text])
        let bytes = EnvelopeWriter.write(
            id: "id-\(text)", source: "orders", sequence: 9_000_000_001, type: "cart.item_added", schemaVersion: 3,
            occurredAt: Timestamp(millisecondsSince1970: 1_795_395_053_799), customerId: text, channel: nil,
            correlationId: "c", causationId: text, data: data)
        let envelope = try ContractCoding.decode(EventEnvelope<[String: String]>.self, from: bytes)
        #expect(envelope == EventEnvelope(
            id: "id-\(text)", source: "orders", sequence: 9_000_000_001, type: "cart.item_added", schemaVersion: 3,
            occurredAt: Timestamp(millisecondsSince1970: 1_795_395_053_799), customerId: text, channel: nil,
            correlationId: "c", causationId: text, data: ["note": text]))
        let object = try #require(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(object["channel"] == nil, "absent optionals are left out, not null")
    }
}

@Suite struct EventIdTests {
    @Test func eventIdsAreLowercaseVersion4UUIDs() {
        let ids = (0..<1000).map { _ in EnvelopeWriter.newEventId() }  // several refills of the random pool
        #expect(Set(ids).count == 1000)
        for id in ids {
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "4", "version 4")
            #expect("89ab".contains(Array(id)[19]), "RFC 4122 variant")
        }
    }
}
