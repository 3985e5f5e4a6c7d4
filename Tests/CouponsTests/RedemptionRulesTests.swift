import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing
@testable import CouponsService

@Suite("Coupons: what a code takes off, and every reason it does not")
struct RedemptionRulesTests {
    static let lea = "cus_lea"
    static let max = "cus_max"

    @Test("a coupon issued by e-mail is in the wallet on every channel, validates with its discount, and redeems once")
    func issueValidateRedeem() async throws {
        try await CouponsHarness.with { coupons in
            let coupon = try await coupons.issue("welcome", to: Self.lea, channel: "email")
            #expect(coupon.state == .issued)
            #expect(coupon.issuedChannel == "email")
            for channel in ["app", "web", "store", "call_center"] {
                #expect(try await coupons.wallet(Self.lea, channel: channel).coupons.map(\.code) == [coupon.code])
            }
            let validation = try await coupons.validate(coupon.code, for: Self.lea, basket: CouponsHarness.basket(total: 8_999))
            #expect(validation.valid)
            #expect(validation.discount == Money(amountMinor: 899, currency: "EUR"), "10% of 89.99, rounded down")

            let redemption = try await coupons.redeem(coupon.code.lowercased(), for: Self.lea, channel: "store")
            #expect(redemption.state == .redeemed)
            #expect(redemption.channel == "store")
            #expect(try await coupons.wallet(Self.lea).coupons.first?.state == .redeemed)
            let again = try await coupons.validate(coupon.code, for: Self.lea)
            #expect(again.reason == .alreadyRedeemed)

            let issued = try coupons.service.loggedEvents(CouponsEvent.CouponIssued.type, as: CouponsEvent.CouponIssued.self)
            #expect(issued.map(\.data.code) == [coupon.code])
            #expect(issued.first?.customerId == Self.lea)
            #expect(try coupons.service.loggedEvents(CouponsEvent.CouponRedeemed.type, as: Redemption.self).map(\.data) == [redemption])
        }
    }

    @Test("each refusal reason, for the case that causes it")
    func everyReason() async throws {
        try await CouponsHarness.with { coupons in
            let leas = try await coupons.issue("welcome", to: Self.lea).code
            let storeOnly = try await coupons.issue("store-only", to: Self.lea).code
            let fiveOff = try await coupons.issue("five-off", to: Self.lea).code
            let shoes = try await coupons.issue("shoes", to: Self.lea).code
            var typo = Array(leas.utf8)
            typo[0] = typo[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let future = Timestamp(millisecondsSince1970: Timestamp.now().millisecondsSince1970 + 86_400_000)
            let past = Timestamp(millisecondsSince1970: 1_000)
            try await coupons.upsert(Campaign(campaignId: "later", name: "Later", discount: Discount(percent: 5), validFrom: future))
            let later = try await coupons.issue("later", to: Self.lea).code
            try await coupons.upsert(Campaign(campaignId: "bygone", name: "Bygone", discount: Discount(percent: 5)))
            let bygone = try await coupons.issue("bygone", to: Self.lea).code
            try await coupons.upsert(Campaign(campaignId: "bygone", name: "Bygone", discount: Discount(percent: 5), validFrom: Timestamp(millisecondsSince1970: 0), validUntil: past))
            try await coupons.upsert(Campaign(campaignId: "paused", name: "Paused", discount: Discount(percent: 5)))
            let paused = try await coupons.issue("paused", to: Self.lea).code
            try await coupons.upsert(Campaign(campaignId: "paused", name: "Paused", discount: Discount(percent: 5), active: false))
            let held = try await coupons.issue("welcome", to: Self.lea).code
            try await coupons.reserve(held, for: Self.lea, checkoutId: "chk-1")
            let used = try await coupons.issue("welcome", to: Self.lea).code
            try await coupons.redeem(used, for: Self.lea)
            try await coupons.upsert(Campaign(campaignId: "none-left", name: "None left", discount: Discount(percent: 5), budget: 0, sharedCode: "NONELEFT"))
            try await coupons.upsert(Campaign(campaignId: "once", name: "Once each", discount: Discount(percent: 5), perCustomerLimit: 1, sharedCode: "ONCEEACH"))
            try await coupons.redeem("ONCEEACH", for: Self.lea)

            let cases: [(String, String, Basket, String, CouponRefusal)] = [
                ("unknown code", CouponCode.formatted(CouponCode.generate()), CouponsHarness.basket(), "web", .unknownCode),
                ("unknown shared code", "NOSUCHCODE", CouponsHarness.basket(), "web", .unknownCode),
                ("typo", String(decoding: typo, as: UTF8.self), CouponsHarness.basket(), "web", .mistypedCode),
                ("not yet valid", later, CouponsHarness.basket(), "web", .notYetValid),
                ("expired", bygone, CouponsHarness.basket(), "web", .expired),
                ("paused campaign", paused, CouponsHarness.basket(), "web", .inactive),
                ("store-only coupon on the web", storeOnly, CouponsHarness.basket(), "web", .wrongChannel),
                ("another customer's coupon", leas, CouponsHarness.basket(), "web", .wrongCustomer),
                ("basket below the minimum", fiveOff, CouponsHarness.basket(total: 2_999), "web", .minimumNotMet),
                ("basket in a currency with no minimum", fiveOff, CouponsHarness.basket(total: 5_000, currency: "USD"), "web", .minimumNotMet),
                ("no eligible line", shoes, CouponsHarness.basket(skus: ["tee-m"]), "web", .notApplicable),
                ("customer limit", "onceeach", CouponsHarness.basket(), "web", .customerLimitReached),
                ("budget", "NONELEFT", CouponsHarness.basket(), "web", .budgetExhausted),
                ("redeemed", used, CouponsHarness.basket(), "web", .alreadyRedeemed),
                ("held by a checkout", held, CouponsHarness.basket(), "store", .reserved),
            ]
            for (name, code, basket, channel, reason) in cases {
                let customer = name == "another customer's coupon" ? Self.max : Self.lea
                let validation = try await coupons.validate(code, for: customer, basket: basket, channel: channel)
                #expect(!validation.valid && validation.reason == reason, "\(name): \(validation)")
                // Redeeming refuses for the same reason, in error.details.reason, and writes nothing.
                let reply = try await coupons.send(RedeemCoupon(code: code, customerId: customer, basket: basket), channel: channel)
                #expect(reply.error.flatMap(CouponsHarness.reason(of:)) == reason, "\(name): \(String(describing: reply.error))")
                #expect(reply.error?.code == reason.errorCode)
            }
            #expect(Set(cases.map(\.4)) == Set(CouponRefusal.allCases), "every reason is covered")
            #expect(try coupons.service.loggedEvents(CouponsEvent.CouponRedeemed.type, as: Redemption.self).count == 2)
        }
    }

    @Test("a fixed amount never exceeds the eligible lines, and applies only to eligible lines")
    func discountArithmetic() async throws {
        try await CouponsHarness.with { coupons in
            try await coupons.upsert(Campaign(campaignId: "big", name: "50 off", discount: Discount(amounts: [Money(amountMinor: 5_000, currency: "EUR"),
                                                                                                            Money(amountMinor: 6_000, currency: "USD")])))
            let big = try await coupons.issue("big", to: Self.lea).code
            #expect(try await coupons.validate(big, for: Self.lea, basket: CouponsHarness.basket(total: 1_999)).discount == Money(amountMinor: 1_999, currency: "EUR"))
            #expect(try await coupons.validate(big, for: Self.lea, basket: CouponsHarness.basket(total: 9_000, currency: "USD")).discount == Money(amountMinor: 6_000, currency: "USD"))
            #expect(try await coupons.validate(big, for: Self.lea, basket: CouponsHarness.basket(total: 9_000, currency: "GBP")).reason == .notApplicable)
            let shoes = try await coupons.issue("shoes", to: Self.lea).code
            let mixed = CouponsHarness.basket(total: 20_000, skus: ["shoe-42", "tee-m"])
            #expect(try await coupons.validate(shoes, for: Self.lea, basket: mixed).discount == Money(amountMinor: 1_500, currency: "EUR"),
                    "15% of the shoe line only")
        }
    }
}
