import OmnibusContracts
import Testing

@Suite("Identifier normalisation")
struct IdentifierTests {
    @Test("each kind has one canonical spelling", arguments: [
        (IdentifierKind.email, " Ada.Lovelace@Example.COM", "ada.lovelace@example.com"),
        (.phone, "+49 (30) 123-456-78", "+493012345678"),
        (.phone, "0044 7700 900123", "+447700900123"),
        (.phone, "+44 (0)7700 900123", "+447700900123"),
        (.phone, "+49 ( 0 ) 30 1234567", "+49301234567"),
        (.phone, "0049 (0)30 1234567", "+49301234567"),
        (.instagram, "@Shoe.Lover_99", "shoe.lover_99"),
        (.x, "@OmniBus_HQ", "omnibus_hq"),
        (.facebook, "Jane.Doe.1", "jane.doe.1"),
        (.messenger, "PSID-0042:abc", "PSID-0042:abc"),
        (.device, "3F2504E0-4F89-11D3-9A0C-0305E82C3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
        (.loyaltyCard, "ab12-3456 7890", "AB1234567890"),
    ])
    func canonical(kind: IdentifierKind, input: String, expected: String) throws {
        #expect(try Identifier(kind: kind, value: input).value == expected)
    }

    @Test("twitter is read as x; unknown kinds are refused with the list of known ones")
    func kinds() throws {
        #expect(try Identifier(kind: "Twitter", value: "@someone").kind == .x)
        #expect(throws: OmnibusError.self) { try Identifier(kind: "myspace", value: "tom") }
        do {
            _ = try Identifier(kind: "myspace", value: "tom")
        } catch let error as OmnibusError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("loyalty_card"))
        }
    }

    @Test("malformed values are refused", arguments: [
        (IdentifierKind.email, "a@b"), (.email, "@example.com"), (.email, "a..b@example.com"), (.email, "a b@example.com"),
        (.phone, "12345"), (.phone, "+0123456789"), (.phone, "+49 30 12 34 56 78 90 12 34"), (.phone, "+49-30-ABC"),
        (.instagram, "has space"), (.x, "far_too_long_handle_for_x"), (.facebook, "abc"),
        (.device, "semi;colon"), (.loyaltyCard, "12"), (.loyaltyCard, "12#45"),
    ])
    func malformed(kind: IdentifierKind, input: String) {
        #expect(throws: OmnibusError.self) { try Identifier(kind: kind, value: input) }
    }
}
