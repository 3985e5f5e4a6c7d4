import Foundation
import OmnibusBus
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Synchronization
import Testing

/// Orders' checkout with a coupon as separate processes, with orders or coupons SIGKILLed
/// at each step of the saga (`OMNIBUS_FAULT_KILL`): it must end in exactly one of "order
/// placed, priced with the coupon, coupon redeemed for it" or "no order, coupon free again".
@Suite("Checkout with a coupon, killed at every step", .serialized)
struct CouponCheckoutTests {
    typealias Saga = ServiceProcesses

    static let ordersKills = [
        "after-commit:orders.checkout",        // stored, nothing asked of coupons yet
        "checkout:coupon-reserved",            // reserved at coupons, not recorded by orders
        "checkout:order-placed",               // order placed at the discount, not confirmed
        "checkout:coupon-confirmed",           // confirmed at coupons, not recorded by orders
    ]

    @Test("orders killed at a step and restarted: the checkout resumes, the order is placed and the coupon redeemed once", arguments: ordersKills)
    func ordersKilled(at point: String) async throws {
        try await Saga.with(["identity", "orders", "coupons"]) { saga in
            try saga.start("identity")
            try saga.start("coupons")
            try saga.start("orders", fault: point, arguments: ["--coupon-wait", "600"])
            let (customerId, code) = try await saga.shopper()
            let request = ServiceProcesses.checkout(customerId, code: code)
            _ = try? await saga.sender("orders", timeoutMilliseconds: 2_000).send(request, channel: "web", id: "checkout-1")
            try await saga.waitUntilKilled("orders")
            try saga.start("orders", arguments: ["--coupon-wait", "600"])
            let reply = try await saga.sender("orders").send(request, channel: "web", id: "checkout-1")
            #expect(reply.ok, "\(String(describing: reply.error))")
            #expect(try await saga.expectWhole(reply, customerId: customerId, code: code))
        }
    }

    @Test("coupons killed after committing a step, before its reply: orders asks again with the same id and the checkout completes",
          arguments: ["after-commit:coupons.coupon.reserve", "after-commit:coupons.redemption.confirm"])
    func couponsKilled(at point: String) async throws {
        try await Saga.with(["identity", "orders", "coupons"]) { saga in
            try saga.start("identity")
            try saga.start("coupons", fault: point)
            try saga.start("orders", arguments: ["--coupon-wait", "600"])
            let (customerId, code) = try await saga.shopper()
            let request = ServiceProcesses.checkout(customerId, code: code)
            let waiting = Task { try await saga.sender("orders", timeoutMilliseconds: 60_000).send(request, channel: "web", id: "checkout-1") }
            try await saga.waitUntilKilled("coupons")
            // While it waits, the cart cannot be checked out a second time (a double submit),
            // and an order already placed cannot be cancelled or handed over.
            let orders = saga.sender("orders")
            let second = try await orders.send(Checkout(customerId: customerId, fulfilment: .pickup(at: "berlin-mitte")), channel: "app")
            #expect(second.error?.code == .conflict)
            if let placed = try await orders.call(GetPurchaseHistory(customerId: customerId), channel: "call_center").orders.first {
                let cancel = try await orders.send(CancelOrder(orderId: placed.orderId, reason: "changed my mind"), channel: "call_center")
                #expect(cancel.error?.code == .conflict)
            }
            try saga.start("coupons")
            let reply = try await waiting.value
            #expect(reply.ok, "\(String(describing: reply.error))")
            #expect(try await saga.expectWhole(reply, customerId: customerId, code: code))
        }
    }

    @Test("identity merges the customer while the checkout waits on coupons: the order lands on the survivor")
    func mergeWhileWaiting() async throws {
        try await Saga.with(["identity", "orders", "coupons"]) { saga in
            try saga.start("identity")
            try saga.start("coupons", fault: "after-commit:coupons.coupon.reserve")
            try saga.start("orders", arguments: ["--coupon-wait", "600"])
            let (customerId, code) = try await saga.shopper()
            let survivor = try await saga.sender("identity").call(ResolveIdentifier(identifier: IdentifierInput(.device, "kiosk-1")), channel: "store")
                .customerId
            let request = ServiceProcesses.checkout(customerId, code: code)
            let waiting = Task { try await saga.sender("orders", timeoutMilliseconds: 60_000).send(request, channel: "web", id: "checkout-1") }
            try await saga.waitUntilKilled("coupons")
            let _ = try await saga.sender("identity").call(MergeCustomers(survivorId: survivor, mergedId: customerId), channel: "backoffice")
            let head = try await saga.sender("identity").health().head
            try await eventually("orders applied the merge") {
                try await saga.sender("orders").health().subscriptions["identity"]?.applied == head
            }
            try saga.start("coupons")
            let reply = try await waiting.value
            let order = try #require(reply.data, "\(String(describing: reply.error))")
            #expect(order.customerId == survivor)
            let history = try await saga.sender("orders").call(GetPurchaseHistory(customerId: survivor), channel: "call_center")
            #expect(history.orders.map(\.orderId) == [order.orderId])
            #expect(try await saga.sender("orders").call(GetCart(customerId: survivor), channel: "web").lines.isEmpty,
                    "the survivor's cart, which holds the merged lines, was checked out")
        }
    }

    @Test("coupons down past the wait: the checkout fails with unavailable, orders nothing, and the coupon is free once coupons is back")
    func couponsDown() async throws {
        try await Saga.with(["identity", "orders", "coupons"]) { saga in
            try saga.start("identity")
            try saga.start("coupons")
            try saga.start("orders", arguments: ["--coupon-wait", "1"])
            let (customerId, code) = try await saga.shopper()
            try await saga.kill("coupons")
            let reply = try await saga.sender("orders").send(ServiceProcesses.checkout(customerId, code: code), channel: "web", id: "checkout-1")
            #expect(reply.error?.code == .unavailable)
            try saga.start("coupons")
            #expect(try await !saga.expectWhole(reply, customerId: customerId, code: code))
        }
    }

    @Test("a coupon that does not apply fails the checkout with its reason and orders nothing; a cancelled order gives its coupon back")
    func refusedAndCancelled() async throws {
        try await Saga.with(["identity", "orders", "coupons"]) { saga in
            try saga.start("identity")
            try saga.start("coupons")
            try saga.start("orders")
            let (customerId, code) = try await saga.shopper()
            let orders = saga.sender("orders")
            let refused = try await orders.send(ServiceProcesses.checkout(customerId, code: "SUMMER1O"), channel: "web")
            #expect(refused.error?.code == .notFound)
            #expect(refused.error?.details(as: [String: String].self)?["reason"] == CouponRefusal.unknownCode.rawValue)
            #expect(try await orders.call(GetCart(customerId: customerId), channel: "web").lines.count == 1, "nothing was checked out")

            let placed = try await orders.call(ServiceProcesses.checkout(customerId, code: CouponCode.formatted(code).lowercased()), channel: "web")
            #expect(placed.coupon?.code == code, "the code as coupons knows it, not as typed")
            let _ = try await orders.call(CancelOrder(orderId: placed.orderId, reason: "changed my mind"), channel: "call_center")
            try await eventually("coupons gave the coupon back") {
                try await saga.sender("coupons").call(GetWallet(customerId: customerId), channel: "app").coupons.first { $0.code == code }?.state == .issued
            }
        }
    }
}

/// What the coupon checkout tests do with the suite.
extension ServiceProcesses {
    /// A customer with a personal welcome coupon (10%) and a 89.99 EUR shoe in the cart.
    func shopper() async throws -> (customerId: String, code: String) {
        let customerId = try await sender("identity").call(ResolveIdentifier(identifier: IdentifierInput(.email, "lea@example.com")), channel: "web")
            .customerId
        let code = try await sender("coupons").call(IssueCoupon(customerId: customerId, campaignId: "welcome-10"), channel: "email").code
        let _ = try await sender("orders").call(AddToCart(customerId: customerId, sku: "shoe-aria-red-38", quantity: 1), channel: "web")
        return (customerId, code)
    }

    static func checkout(_ customerId: String, code: String) -> Checkout {
        Checkout(customerId: customerId, fulfilment: .pickup(at: "berlin-mitte"), couponCode: code)
    }

    /// Asserts that the checkout answered by `reply` ended whole: placed and redeemed, or
    /// neither (then the coupon is free again once coupons has it back). Returns whether it was placed.
    @discardableResult
    func expectWhole(_ reply: CommandReply<OrderView>, customerId: String, code: String) async throws -> Bool {
        let coupons = sender("coupons")
        let history = try await sender("orders").call(GetPurchaseHistory(customerId: customerId), channel: "call_center")
        let live = history.orders.filter { $0.status != .cancelled }
        let campaign = try await coupons.call(GetCampaign(campaignId: "welcome-10"), channel: "backoffice")
        if let order = reply.data {
            #expect(live.map(\.orderId) == [order.orderId], "one live order")
            #expect(order.total == Money(amountMinor: 8_999 - 899, currency: "EUR"), "priced with the coupon")
            #expect(order.coupon?.code == code && order.coupon?.discount == Money(amountMinor: 899, currency: "EUR"))
            let wallet = try await coupons.call(GetWallet(customerId: customerId), channel: "app")
            let used = wallet.coupons.first { $0.code == code }
            #expect(used?.state == .redeemed)
            #expect(used?.redemption?.orderId == order.orderId, "redeemed for this order")
            #expect(used?.redemption?.redemptionId == order.coupon?.redemptionId)
            #expect(campaign.redeemed == 1 && campaign.reserved == 0)
            return true
        }
        #expect(live.isEmpty, "no order: \(live.map(\.orderId))")
        try await eventually("the coupon is free again") {
            try await coupons.call(ValidateCoupon(code: code, customerId: customerId, basket: CouponsJourneyTests.basket), channel: "web").valid
        }
        #expect(try await coupons.call(GetCampaign(campaignId: "welcome-10"), channel: "backoffice").redeemed == 0)
        let cart = try await sender("orders").call(GetCart(customerId: customerId), channel: "web")
        #expect(cart.lines.map(\.sku) == ["shoe-aria-red-38"], "the shoe is back in the cart")
        return false
    }
}
