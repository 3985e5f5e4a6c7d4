import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing
@testable import CouponsService

@Suite("Coupons: reserve, then confirm or release; a lapsed hold frees the coupon")
struct ReservationTests {
    static let lea = "cus_lea"

    @Test("a released reservation leaves the coupon usable, and a confirmed one redeems it")
    func releaseThenConfirm() async throws {
        try await CouponsHarness.with { coupons in
            let code = try await coupons.issue("welcome", to: Self.lea).code
            let first = try await coupons.reserve(code, for: Self.lea, checkoutId: "chk-a")
            #expect(first.state == .reserved)
            #expect(try await coupons.wallet(Self.lea).coupons.first?.state == .reserved)
            let same = try await coupons.reserve(code, for: Self.lea, checkoutId: "chk-a")
            #expect(same.redemptionId == first.redemptionId, "the same checkout asking again gets its hold back")

            let released = try await coupons.call(ReleaseRedemption(redemptionId: first.redemptionId), channel: "web")
            #expect(released.state == .released && released.releaseReason == .checkoutFailed)
            #expect(try await coupons.validate(code, for: Self.lea).valid, "usable again after the checkout failed")
            let confirmReleased = try await coupons.send(ConfirmRedemption(redemptionId: first.redemptionId), channel: "web")
            #expect(confirmReleased.error?.code == .conflict)

            let second = try await coupons.reserve(code, for: Self.lea, checkoutId: "chk-b")
            let confirmed = try await coupons.call(ConfirmRedemption(redemptionId: second.redemptionId, orderId: "ord-1"), channel: "web")
            #expect(confirmed.state == .redeemed && confirmed.orderId == "ord-1")
            #expect(try await coupons.call(ConfirmRedemption(redemptionId: second.redemptionId), channel: "web") == confirmed,
                    "confirming again answers the same")
            #expect(try await coupons.validate(code, for: Self.lea).reason == .alreadyRedeemed)

            // The order is cancelled: the campaign gives the coupon back.
            let cancelled = try await coupons.call(ReleaseRedemption(redemptionId: second.redemptionId, reason: .orderCancelled), channel: "call_center")
            #expect(cancelled.state == .released && cancelled.releaseReason == .orderCancelled)
            #expect(try await coupons.validate(code, for: Self.lea).valid)
            let types = try coupons.service.loggedEvents(CouponsEvent.CouponReleased.type, as: Redemption.self).map(\.data.releaseReason)
            #expect(types == [.checkoutFailed, .orderCancelled])
        }
    }

    @Test("a campaign that keeps redeemed coupons refuses to give one back")
    func noReturnOnCancel() async throws {
        try await CouponsHarness.with { coupons in
            try await coupons.upsert(Campaign(campaignId: "final", name: "Final sale", discount: Discount(percent: 30), returnOnCancel: false))
            let code = try await coupons.issue("final", to: Self.lea).code
            let redemption = try await coupons.redeem(code, for: Self.lea)
            let reply = try await coupons.send(ReleaseRedemption(redemptionId: redemption.redemptionId, reason: .orderCancelled), channel: "call_center")
            #expect(reply.error?.code == .conflict)
            #expect(try await coupons.validate(code, for: Self.lea).reason == .alreadyRedeemed)
        }
    }

    @Test("a reservation not confirmed in time lapses: the coupon is usable again and the release is announced")
    func reservationLapses() async throws {
        var options = CouponsService.Options(seed: CouponsHarness.seed)
        options.lapseSweepInterval = .milliseconds(100)
        try await CouponsHarness.with(options: options) { coupons in
            let code = try await coupons.issue("welcome", to: Self.lea).code
            let held = try await coupons.reserve(code, for: Self.lea, checkoutId: "chk-slow", holdSeconds: 1)
            #expect(held.state == .reserved && held.expiresAt?.millisecondsSince1970 == held.updatedAt.millisecondsSince1970 + 1_000)
            try await eventually("the lapsed reservation is released") {
                try coupons.service.loggedEvents(CouponsEvent.CouponReleased.type, as: Redemption.self).map(\.data.redemptionId) == [held.redemptionId]
            }
            let released = try coupons.service.loggedEvents(CouponsEvent.CouponReleased.type, as: Redemption.self)[0].data
            #expect(released.releaseReason == .expired)
            #expect(try await coupons.validate(code, for: Self.lea).valid)
            #expect(try await coupons.wallet(Self.lea).coupons.first?.state == .issued)
            // Nothing took it meanwhile, so the slow checkout may still confirm its lapsed hold.
            let confirmed = try await coupons.call(ConfirmRedemption(redemptionId: held.redemptionId, orderId: "ord-slow"), channel: "web")
            #expect(confirmed.state == .redeemed)
        }
    }

    @Test("a lapsed hold whose coupon was taken meanwhile cannot be confirmed")
    func lapsedAndTaken() async throws {
        var options = CouponsService.Options(seed: CouponsHarness.seed)
        options.lapseSweepInterval = .seconds(3600)   // only the lazy release at the next use
        try await CouponsHarness.with(options: options) { coupons in
            let code = try await coupons.issue("welcome", to: Self.lea).code
            let held = try await coupons.reserve(code, for: Self.lea, checkoutId: "chk-slow", holdSeconds: 1)
            try await eventually("the hold lapses") { try await coupons.validate(code, for: Self.lea).valid }
            try await coupons.redeem(code, for: Self.lea, channel: "store")
            let reply = try await coupons.send(ConfirmRedemption(redemptionId: held.redemptionId), channel: "web")
            #expect(reply.error.flatMap(CouponsHarness.reason(of:)) == .alreadyRedeemed)
            let released = try coupons.service.loggedEvents(CouponsEvent.CouponReleased.type, as: Redemption.self).map(\.data)
            #expect(released.map(\.redemptionId) == [held.redemptionId], "the store's redemption first released the lapsed hold")
        }
    }
}
