import Foundation
import OmnibusWire
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

/// The outbox's path: the payload encoded in place, or by JSONEncoder where it must be.
@Suite struct EnvelopePayloadTests {
    struct Note: Codable, Equatable, Sendable {
        var text: String
        var count: Int
        var blob: Data?
    }

    @Test(arguments: [
        Note(text: "plain \"quoted\" ünï", count: 3, blob: nil),
        Note(text: "with bytes", count: -1, blob: Data([0, 1, 254, 255])),  // JSONEncoder's base64
    ])
    func payloadWrittenInPlaceDecodesAsContractCodingWouldWriteIt(note: Note) throws {
        let time = Timestamp(millisecondsSince1970: 1_795_395_053_799)
        let bytes = try EnvelopeWriter.write(
            id: "e-1", source: "orders", sequence: 7, type: "note.taken", schemaVersion: 2, occurredAt: time,
            customerId: "cus_1", channel: "web", correlationId: nil, causationId: "r-1", payload: note)
        let envelope = try ContractCoding.decode(EventEnvelope<Note>.self, from: bytes)
        #expect(envelope == EventEnvelope(
            id: "e-1", source: "orders", sequence: 7, type: "note.taken", schemaVersion: 2, occurredAt: time,
            customerId: "cus_1", channel: "web", correlationId: nil, causationId: "r-1", data: note))
        let object = try #require(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["blob"] as? String == note.blob?.base64EncodedString(), "Data as JSONEncoder writes it")
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
