import Foundation
import OmnibusBus
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Identity, orders and coupons as separate processes on real ports, the way `omnibus up` runs them.
@Suite("Coupons across channels, as separate processes", .serialized)
struct CouponsJourneyTests {
    static let basket = Basket(lines: [BasketLine(sku: "shoe-aria-red-38", productId: "shoe-aria", quantity: 1, unitPrice: Money(amountMinor: 8_999, currency: "EUR"))])

    @Test("issued by e-mail, seen in the app's wallet, redeemed at the store till; the web is then refused with already_redeemed")
    func couponAcrossChannels() async throws {
        try await ServiceProcesses.with(["identity", "orders", "coupons"], start: true) { suite in
            let lea = try await suite.resolve(.email, "lea@example.com", channel: "email")
            let issued = try await suite.coupons.call(IssueCoupon(customerId: lea, campaignId: "welcome-10"), channel: "email")
            let wallet = try await suite.coupons.call(GetWallet(customerId: lea), channel: "app")
            #expect(wallet.coupons.map(\.code) == [issued.code])
            #expect(wallet.coupons.first?.issuedChannel == "email")

            let atTill = try await suite.coupons.call(ValidateCoupon(code: issued.code, customerId: lea, basket: Self.basket), channel: "store")
            #expect(atTill.discount == Money(amountMinor: 899, currency: "EUR"))
            let redeemed = try await suite.coupons.call(RedeemCoupon(code: CouponCode.formatted(issued.code).lowercased(), customerId: lea, basket: Self.basket), channel: "store")
            #expect(redeemed.state == .redeemed && redeemed.channel == "store")

            let fromWeb = try await suite.coupons.send(RedeemCoupon(code: issued.code, customerId: lea, basket: Self.basket), channel: "web")
            #expect(fromWeb.error?.code == .conflict)
            #expect(fromWeb.error?.details(as: [String: String].self)?["reason"] == CouponRefusal.alreadyRedeemed.rawValue)
            #expect(try await suite.coupons.call(GetWallet(customerId: lea), channel: "app").coupons.first?.state == .redeemed)

            // Any channel folding the bus sees the same: `omnibus customer` uses the contract's CustomerViews.
            let folded = try await OpsToolTests.omnibus(["customer", "--config", suite.configPath, lea], in: suite.directory)
            #expect(folded.exit == .exited(0), "\(folded.output)")
            let view = try ContractCoding.decode(CustomerView.self, from: Data(folded.output.utf8))
            #expect(view.coupons.map(\.code) == [issued.code])
            #expect(view.coupons.first?.state == .redeemed)
        }
    }

    @Test("a customer's first order issues the first-order coupon on its own, once; a goodwill return issues the goodwill coupon")
    func ordersIssueCoupons() async throws {
        try await ServiceProcesses.with(["identity", "orders", "coupons"], start: true) { suite in
            let max = try await suite.resolve(.email, "max@example.com", channel: "web")
            var orderIds: [String] = []
            for _ in 0..<2 {
                let _ = try await suite.orders.call(AddToCart(customerId: max, sku: "socks-trio", quantity: 1), channel: "web")
                orderIds.append(try await suite.orders.call(Checkout(customerId: max, fulfilment: .pickup(at: "berlin-mitte")), channel: "web").orderId)
            }
            try await coupons(of: suite, caughtUpWith: "orders")
            let wallet = try await suite.coupons.call(GetWallet(customerId: max), channel: "app")
            #expect(wallet.coupons.map(\.campaignId) == ["first-order-thanks"], "two orders, one coupon")
            #expect(wallet.coupons.first?.issuedChannel == "auto")

            // The socks came back outside the policy; the call center accepts it as a goodwill gesture.
            for status in [OrderStatus.readyForPickup, .collected] {
                let _ = try await suite.orders.call(AdvanceOrder(orderId: orderIds[0], to: status, storeId: "berlin-mitte"), channel: "store")
            }
            let _ = try await suite.orders.call(ReturnItems(orderId: orderIds[0], sku: "socks-trio", quantity: 1, reason: "worn once, faded",
                                                            resolution: .refund, goodwill: true), channel: "call_center")
            try await coupons(of: suite, caughtUpWith: "orders")
            let after = try await suite.coupons.call(GetWallet(customerId: max), channel: "app")
            #expect(after.coupons.map(\.campaignId) == ["goodwill-15", "first-order-thanks"])
        }
    }

    func coupons(of suite: ServiceProcesses, caughtUpWith source: String) async throws {
        let head = try await suite.sender(source).health().head
        try await eventually("coupons applied \(source)'s events through \(head)") {
            try await suite.coupons.health().subscriptions[source]?.applied == head
        }
    }

    @Test("races: 50 tills redeem one code → 1; 50 customers against a budget of 10 → 10; 20 tries at a limit of 2 from 3 channels → 2")
    func racesAcrossProcesses() async throws {
        try await ServiceProcesses.with(["identity", "orders", "coupons"], start: true) { suite in
            let customers = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 { group.addTask { try await suite.resolve(.device, "race-\(index)", channel: "app") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let lea = customers[0]
            let code = try await suite.coupons.call(IssueCoupon(customerId: lea, campaignId: "welcome-10"), channel: "email").code
            let sameCode = try await suite.sendConcurrently((0..<50).map { index in
                (RedeemCoupon(code: code, customerId: lea, basket: Self.basket), channel: ["store", "web", "app"][index % 3])
            })
            #expect(sameCode.filter(\.ok).count == 1)
            #expect(sameCode.compactMap { $0.error?.details(as: [String: String].self)?["reason"] }
                .allSatisfy { $0 == CouponRefusal.alreadyRedeemed.rawValue })
            #expect(sameCode.filter { !$0.ok }.count == 49)

            let _ = try await suite.coupons.call(UpsertCampaign(campaign: Campaign(
                campaignId: "race-budget", name: "Ten for everyone", discount: Discount(percent: 5), budget: 10, sharedCode: "TENONLY")), channel: "backoffice")
            let budget = try await suite.sendConcurrently(customers.map { (RedeemCoupon(code: "TENONLY", customerId: $0, basket: Self.basket), channel: "web") })
            #expect(budget.filter(\.ok).count == 10)
            #expect(budget.filter { $0.error?.details(as: [String: String].self)?["reason"] == CouponRefusal.budgetExhausted.rawValue }.count == 40)

            let _ = try await suite.coupons.call(UpsertCampaign(campaign: Campaign(
                campaignId: "race-limit", name: "Twice each", discount: Discount(percent: 5), perCustomerLimit: 2, sharedCode: "TWICEEACH")), channel: "backoffice")
            let limited = try await suite.sendConcurrently((0..<20).map { index in
                (RedeemCoupon(code: "TWICEEACH", customerId: lea, basket: Self.basket), channel: ["store", "web", "app"][index % 3])
            })
            #expect(limited.filter(\.ok).count == 2)
            #expect(limited.filter { $0.error?.details(as: [String: String].self)?["reason"] == CouponRefusal.customerLimitReached.rawValue }.count == 18)

            let campaigns = try await suite.coupons.call(ListCampaigns(), channel: "backoffice").campaigns
            #expect(campaigns.first { $0.campaign.campaignId == "race-budget" }?.redeemed == 10)
            #expect(campaigns.first { $0.campaign.campaignId == "race-limit" }?.redeemed == 2)
        }
    }
}

/// What the coupon journeys do with the suite.
extension ServiceProcesses {
    var identity: CommandSender { sender("identity") }
    var orders: CommandSender { sender("orders") }
    var coupons: CommandSender { sender("coupons") }

    func resolve(_ kind: IdentifierKind, _ value: String, channel: String) async throws -> String {
        try await identity.call(ResolveIdentifier(identifier: IdentifierInput(kind, value)), channel: channel).customerId
    }

    /// Sends every command at once to the coupons process, each from its own client socket
    /// (and thread), as that many tills and browsers would.
    func sendConcurrently<Command: CommandContract>(_ commands: [(Command, channel: String)]) async throws -> [CommandReply<Command.Reply>] {
        try await withThrowingTaskGroup(of: CommandReply<Command.Reply>.self) { group in
            for (command, channel) in commands { group.addTask { try await self.coupons.send(command, channel: channel) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
