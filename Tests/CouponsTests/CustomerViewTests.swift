import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// The coupons part of `CustomerView`, folded from the real logs of identity and coupons.
@Suite("Customer view: the wallet every channel shows")
struct CouponsCustomerViewTests {
    @Test("coupons issued, reserved, released and redeemed around a merge: the same wallet from every interleaving, matching the service's")
    func sameWalletFromEveryInterleaving() async throws {
        try await CouponsIdentityReactionTests.Pair.with { pair in
            let coupons = pair.coupons
            let anonymous = try await pair.resolve("ios-wallet")
            let registered = try await pair.resolve("web-wallet")
            let emailed = try await coupons.issue("welcome", to: anonymous, channel: "email").code
            let kept = try await coupons.issue("shoes", to: registered, channel: "call_center").code
            let hold = try await coupons.reserve(kept, for: registered, checkoutId: "chk-1")
            let _ = try await coupons.call(ReleaseRedemption(redemptionId: hold.redemptionId), channel: "web")
            try await coupons.reserve(kept, for: registered, checkoutId: "chk-2")
            let _ = try await pair.identityCommands.call(MergeCustomers(survivorId: registered, mergedId: anonymous))
            try await pair.caughtUp()
            try await coupons.redeem(emailed, for: anonymous, channel: "store")   // the old id, after the merge
            try await coupons.redeem("SUMMER10", for: registered, channel: "web")

            let folded = try Interleavings.views(
                of: anonymous, from: [try pair.identity.service.loggedEnvelopes(), try coupons.service.loggedEnvelopes()])
            #expect(folded.allSatisfy { $0.skipped == 0 })
            let view = try #require(folded.first?.view)
            #expect(folded.allSatisfy { $0.view == view }, "every interleaving folds to the same customer")
            #expect(view.customerId == registered)

            let wallet = try await coupons.wallet(registered)
            let personal = view.coupons.filter { $0.issuedSequence != nil }
            #expect(personal.map(\.code) == wallet.coupons.map(\.code), "the fold lists the wallet, newest first")
            #expect(personal.map(\.state) == wallet.coupons.map(\.state))
            #expect(personal.map(\.state) == [.reserved, .redeemed])
            #expect(personal.map(\.issuedChannel) == ["call_center", "email"])
            #expect(view.coupons.first { $0.code == "SUMMER10" }?.state == .redeemed, "a shared code the customer used is shown too")
        }
    }
}
