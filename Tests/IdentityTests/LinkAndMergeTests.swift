import Foundation
import OmnibusContracts
import Testing

@Suite("Identity: link and merge")
struct LinkAndMergeTests {
    @Test("linking a new identifier attaches it; a verified e-mail makes the profile registered")
    func linkNew() async throws {
        try await IdentityHarness.with { identity in
            let chat = try await identity.resolve(.messenger, "psid-771", channel: "messenger")
            let outcome = try await identity.call(LinkIdentifier(customerId: chat.customerId, identifier: IdentifierInput(.email, "mia@example.org"), verified: true),
                channel: "messenger")
            #expect(outcome == MergeOutcome(customerId: chat.customerId, mergedIds: []))
            let profile = try await identity.profile(chat.customerId)
            #expect(profile.status == .registered)
            #expect(profile.identifiers.map(\.kind) == [.messenger, .email])
            #expect(profile.identifiers.allSatisfy { $0.channel == "messenger" })
            #expect(try await identity.resolve(.email, "MIA@example.org").customerId == chat.customerId)
        }
    }

    @Test("linking an identifier of another customer is a conflict and changes nothing")
    func linkConflict() async throws {
        try await IdentityHarness.with { identity in
            let web = try await identity.resolve(.email, "sam@example.net", channel: "web")
            let app = try await identity.resolve(.device, "ios-install-9", channel: "app")
            let headBefore = try await identity.health().head
            let reply = try await identity.send(LinkIdentifier(customerId: app.customerId, identifier: IdentifierInput(.email, "sam@example.net")))
            #expect(reply.error?.code == .conflict)
            #expect(try await identity.health().head == headBefore)
            #expect(try await identity.resolve(.device, "ios-install-9").customerId == app.customerId)
            #expect(try await identity.resolve(.email, "sam@example.net").customerId == web.customerId)
        }
    }

    @Test("an anonymous app profile that logs in with a registered e-mail is merged into it")
    func loginMerge() async throws {
        try await IdentityHarness.with { identity in
            let registered = try await identity.resolve(.email, "lea@example.com", channel: "web")
            let _ = try await identity.call(LinkIdentifier(customerId: registered.customerId, identifier: IdentifierInput(.email, "lea@example.com"), verified: true))
            let anonymous = try await identity.resolve(.device, "android-42", channel: "app")
            let _ = try await identity.call(SetConsent(customerId: anonymous.customerId, purpose: .marketing, channel: .push, granted: true))

            let outcome = try await identity.call(LinkIdentifier(customerId: anonymous.customerId, identifier: IdentifierInput(.email, "lea@example.com"),
                               verified: true, merge: true))
            #expect(outcome == MergeOutcome(customerId: registered.customerId, mergedIds: [anonymous.customerId]))
            #expect(try await identity.resolve(.device, "android-42").customerId == registered.customerId)

            let survivor = try await identity.profile(anonymous.customerId)
            #expect(survivor.customerId == registered.customerId)
            #expect(survivor.mergedIds == [anonymous.customerId])
            #expect(Set(survivor.identifiers.map(\.value)) == ["lea@example.com", "android-42"])
            #expect(survivor.allows(.marketing, on: .push))

            let merges = try identity.events(IdentityEvent.CustomersMerged.type, as: IdentityEvent.CustomersMerged.self)
            #expect(merges.map(\.data) == [IdentityEvent.CustomersMerged(survivorId: registered.customerId, mergedId: anonymous.customerId)])
            #expect(merges.first?.customerId == registered.customerId)
        }
    }

    @Test("merges chain: after A→B and B→C, A's identifiers and id lead to C")
    func mergeChain() async throws {
        try await IdentityHarness.with { identity in
            let a = try await identity.resolve(.device, "device-a").customerId
            let b = try await identity.resolve(.device, "device-b").customerId
            let c = try await identity.resolve(.device, "device-c").customerId
            let first = try await identity.call(MergeCustomers(survivorId: b, mergedId: a))
            let second = try await identity.call(MergeCustomers(survivorId: c, mergedId: b))
            #expect(first == MergeOutcome(customerId: b, mergedIds: [a]))
            #expect(second == MergeOutcome(customerId: c, mergedIds: [b]))

            #expect(try await identity.resolve(.device, "device-a").customerId == c)
            let profile = try await identity.profile(a)
            #expect(profile.customerId == c)
            #expect(Set(profile.mergedIds) == [a, b])
            #expect(Set(profile.identifiers.map(\.value)) == ["device-a", "device-b", "device-c"])

            // Merging along the chain again is a no-op: already one customer.
            let repeatAB = try await identity.call(MergeCustomers(survivorId: b, mergedId: a))
            #expect(repeatAB == MergeOutcome(customerId: c, mergedIds: []))
            #expect(try identity.events(IdentityEvent.CustomersMerged.type, as: IdentityEvent.CustomersMerged.self).count == 2)
        }
    }

    @Test("a retried merge (same request id) gets the first reply and merges once")
    func idempotentMerge() async throws {
        try await IdentityHarness.with { identity in
            let a = try await identity.resolve(.device, "retry-a").customerId
            let b = try await identity.resolve(.device, "retry-b").customerId
            let request = MergeCustomers(survivorId: b, mergedId: a)
            let first = try await identity.send(request, id: "merge-1")
            let retry = try await identity.send(request, id: "merge-1")
            #expect(first == retry)
            #expect(try first.get() == MergeOutcome(customerId: b, mergedIds: [a]))
            #expect(try identity.events(IdentityEvent.CustomersMerged.type, as: IdentityEvent.CustomersMerged.self).count == 1)
        }
    }
}
