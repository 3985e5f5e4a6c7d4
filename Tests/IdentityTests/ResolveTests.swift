import Foundation
import OmnibusContracts
import Testing

@Suite("Identity: resolve")
struct ResolveTests {
    @Test("an unknown identifier creates one provisional customer; every spelling of it finds that customer")
    func resolveCreatesThenFinds() async throws {
        try await IdentityHarness.with { identity in
            let first = try await identity.resolve(.email, "Ada.Lovelace@Example.COM ")
            #expect(first.created)
            #expect(first.status == .provisional)

            let again = try await identity.resolve(.email, "ada.lovelace@example.com", channel: "web")
            #expect(again == ResolvedCustomer(customerId: first.customerId, status: .provisional, created: false))

            let created = try identity.events(IdentityEvent.CustomerCreated.type, as: IdentityEvent.CustomerCreated.self)
            let linked = try identity.events(IdentityEvent.IdentifierLinked.type, as: IdentityEvent.IdentifierLinked.self)
            #expect(created.map(\.data.customerId) == [first.customerId])
            #expect(linked.map(\.data) == [IdentityEvent.IdentifierLinked(
                customerId: first.customerId, kind: .email, value: "ada.lovelace@example.com", channel: "app", verified: false)])
            #expect(linked.first?.customerId == first.customerId)
            #expect(linked.first?.channel == "app")
        }
    }

    @Test("phone numbers in different notations resolve to one customer")
    func phoneNotations() async throws {
        try await IdentityHarness.with { identity in
            let ids = try await [
                identity.resolve(.phone, "+49 30 1234-5678"),
                identity.resolve(.phone, "0049 (30) 12345678"),
                identity.resolve(.phone, "+493012345678"),
            ].map(\.customerId)
            #expect(Set(ids).count == 1)
            let profile = try await identity.profile(ids[0])
            #expect(profile.identifiers.map(\.value) == ["+493012345678"])
        }
    }

    @Test("createIfUnknown false answers not_found and creates nothing")
    func lookupOnly() async throws {
        try await IdentityHarness.with { identity in
            let reply = try await identity.send(ResolveIdentifier(identifier: IdentifierInput(.device, "install-1"), createIfUnknown: false))
            #expect(reply.error?.code == .notFound)
            #expect(try await identity.health().head == 0)
        }
    }

    @Test("two clients resolving the same new identifiers at the same time get one customer each")
    func concurrentResolves() async throws {
        try await IdentityHarness.with { identity in
            let handles = (0..<40).map { "shopper\($0)" }
            async let fromApp = resolveAll(handles, identity: identity, channel: "app")
            async let fromWeb = resolveAll(handles, identity: identity, channel: "web")
            let (app, web) = try await (fromApp, fromWeb)
            #expect(app == web)
            #expect(Set(app).count == handles.count)
            let created = try identity.events(IdentityEvent.CustomerCreated.type, as: IdentityEvent.CustomerCreated.self)
            #expect(created.count == handles.count)
        }
    }

    private func resolveAll(_ handles: [String], identity: IdentityHarness, channel: String) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, handle) in handles.enumerated() {
                group.addTask { (index, try await identity.resolve(.instagram, handle, channel: channel).customerId) }
            }
            var ids = Array(repeating: "", count: handles.count)
            for try await (index, id) in group { ids[index] = id }
            return ids
        }
    }

    @Test("a retried resolve (same request id) replies the same and creates one customer")
    func idempotentRetry() async throws {
        try await IdentityHarness.with { identity in
            let request = ResolveIdentifier(identifier: IdentifierInput(.loyaltyCard, "1234 5678 9012"))
            let first = try await identity.send(request, id: "retry-1")
            let second = try await identity.send(request, id: "retry-1")
            #expect(first == second)
            #expect(try first.get().created)
            #expect(try identity.events(IdentityEvent.CustomerCreated.type, as: IdentityEvent.CustomerCreated.self).count == 1)
        }
    }
}
