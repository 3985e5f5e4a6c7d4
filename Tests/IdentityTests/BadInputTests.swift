import Foundation
import OmnibusContracts
import Testing

@Suite("Identity: bad input")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var command: String
        var body: JSONValue
        var code: ErrorCode
    }

    static func identifier(_ kind: String, _ value: String) -> JSONValue {
        .object(["identifier": .object(["kind": .string(kind), "value": .string(value)])])
    }

    static let cases: [Case] = [
        Case(description: "e-mail without @", command: ResolveIdentifier.name, body: identifier("email", "not-an-email"), code: .invalidArgument),
        Case(description: "e-mail with two @", command: ResolveIdentifier.name, body: identifier("email", "a@b@c.com"), code: .invalidArgument),
        Case(description: "e-mail without a dotted domain", command: ResolveIdentifier.name, body: identifier("email", "a@localhost"), code: .invalidArgument),
        Case(description: "phone without country code", command: ResolveIdentifier.name, body: identifier("phone", "030 1234567"), code: .invalidArgument),
        Case(description: "phone with letters", command: ResolveIdentifier.name, body: identifier("phone", "+49 30 CALL-ME"), code: .invalidArgument),
        Case(description: "phone too long", command: ResolveIdentifier.name, body: identifier("phone", "+1234567890123456"), code: .invalidArgument),
        Case(description: "handle with spaces", command: ResolveIdentifier.name, body: identifier("instagram", "two words"), code: .invalidArgument),
        Case(description: "empty value", command: ResolveIdentifier.name, body: identifier("device", "   "), code: .invalidArgument),
        Case(description: "unknown kind", command: ResolveIdentifier.name, body: identifier("myspace", "tom"), code: .invalidArgument),
        Case(description: "oversize identifier", command: ResolveIdentifier.name,
             body: identifier("email", String(repeating: "a", count: 5000) + "@example.com"), code: .invalidArgument),
        Case(description: "missing identifier", command: ResolveIdentifier.name, body: .object([:]), code: .invalidArgument),
        Case(description: "identifier of the wrong type", command: ResolveIdentifier.name,
             body: .object(["identifier": .number(42)]), code: .invalidArgument),
        Case(description: "unknown customer", command: GetProfile.name,
             body: .object(["customerId": .string("cus_nobody")]), code: .notFound),
        Case(description: "oversize customer id", command: UpdateProfile.name,
             body: .object(["customerId": .string(String(repeating: "x", count: 500))]), code: .invalidArgument),
        Case(description: "unknown consent purpose", command: SetConsent.name,
             body: .object(["customerId": .string("cus_x"), "purpose": .string("telepathy"), "channel": .string("email"), "granted": .bool(true)]),
             code: .invalidArgument),
        Case(description: "unknown customer to erase", command: EraseCustomer.name,
             body: .object(["customerId": .string("cus_nobody")]), code: .notFound),
    ]

    @Test("malformed identifiers, unknown kinds, oversize fields and unknown customers get clear errors and change nothing",
          arguments: cases)
    func rejected(_ bad: Case) async throws {
        try await IdentityHarness.with { identity in
            let reply = try await identity.sendRaw(bad.command, bad.body)
            #expect(!reply.ok)
            #expect(reply.error?.code == bad.code)
            #expect((reply.error?.message.count ?? 0) > 10, "a sentence, not just a code")
            #expect(try await identity.health().head == 0)
        }
    }

    @Test("profile fields are checked: name length and control characters, locale shape")
    func profileFields() async throws {
        try await IdentityHarness.with { identity in
            let customer = try await identity.resolve(.device, "fields-1").customerId
            let head = try await identity.health().head
            for update in [UpdateProfile(customerId: customer, displayName: String(repeating: "n", count: 201)),
                           UpdateProfile(customerId: customer, displayName: "bell\u{7}"),
                           UpdateProfile(customerId: customer, displayName: "  "),
                           UpdateProfile(customerId: customer, locale: "english please"),
                           UpdateProfile(customerId: customer, locale: "d")] {
                let reply = try await identity.send(update)
                #expect(reply.error?.code == .invalidArgument, "\(update)")
            }
            #expect(try await identity.health().head == head)
            let profile = try await identity.profile(customer)
            #expect(profile.displayName == nil && profile.locale == nil)
        }
    }
}
