import Foundation
import OmnibusContracts
import Testing

@Suite struct EnvelopeTests {
    struct ItemAdded: Codable, Sendable, Equatable {
        var sku: String
        var quantity: Int
    }

    @Test func envelopeUsesTheDocumentedFieldNames() throws {
        let envelope = EventEnvelope(
            id: "3f1c", source: "orders", sequence: 42, type: "cart.item_added", schemaVersion: 1,
            occurredAt: Timestamp(millisecondsSince1970: 0), customerId: "cus_1", channel: "app",
            correlationId: "cor", causationId: "cau", data: ItemAdded(sku: "shoe-red-42", quantity: 2))
        let object = try #require(JSONSerialization.jsonObject(with: ContractCoding.encode(envelope)) as? [String: Any])
        #expect(Set(object.keys) == ["id", "source", "sequence", "type", "schemaVersion", "occurredAt", "customerId",
                                      "channel", "correlationId", "causationId", "data"])
        #expect(object["occurredAt"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(envelope.topic == "orders.cart.item_added")
    }

    @Test func unknownFieldsAreIgnoredAndHeaderSkipsTheBody() throws {
        let json = #"""
            {"id":"e1","source":"orders","sequence":7,"type":"cart.item_added","schemaVersion":1,
             "occurredAt":"2026-11-23T00:00:00.000Z","addedLater":{"x":1},
             "data":{"sku":"s","quantity":1,"colour":"red"}}
            """#
        let typed = try ContractCoding.decode(EventEnvelope<ItemAdded>.self, from: Data(json.utf8))
        #expect(typed.data == ItemAdded(sku: "s", quantity: 1))
        #expect(typed.customerId == nil)
        let header = try ContractCoding.decode(EventHeader.self, from: Data(json.utf8))
        #expect(header.sequence == 7)
        #expect(header.topic == "orders.cart.item_added")
    }

    @Test func commandsAndRepliesRoundTrip() throws {
        let request = CommandRequest(id: "r1", command: "orders.cart.add", channel: "web", data: ItemAdded(sku: "s", quantity: 1))
        #expect(try ContractCoding.decode(CommandRequest<ItemAdded>.self, from: ContractCoding.encode(request)) == request)
        let failure = CommandReply<Empty>(requestId: "r1", error: OmnibusError(.notFound, "no such product"))
        let decoded = try ContractCoding.decode(CommandReply<Empty>.self, from: ContractCoding.encode(failure))
        #expect(decoded == failure)
        #expect(throws: OmnibusError(.notFound, "no such product")) { try decoded.get() }
        let unknownCode = try ContractCoding.decode(OmnibusError.self, from: Data(#"{"code":"from_the_future","message":"m"}"#.utf8))
        #expect(unknownCode.code.rawValue == "from_the_future")
    }

    @Test func topicNamesAreValidated() {
        #expect(Topic.isValidSource("identity"))
        #expect(!Topic.isValidSource("Identity"))
        #expect(!Topic.isValidSource("a.b"))
        #expect(Topic.isValidEventType("customer.identifier_linked"))
        #expect(!Topic.isValidEventType("customer..linked"))
        #expect(!Topic.isValidEventType("_heartbeat"))
        #expect(Topic.split("orders.cart.item_added")! == ("orders", "cart.item_added"))
        #expect(Topic.isHeartbeat(name: Topic.split(Topic.heartbeat(source: "orders"))!.name))
    }
}
