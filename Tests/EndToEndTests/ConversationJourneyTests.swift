import Foundation
import OmnibusBus
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Synchronization
import Testing

/// Journey 5, context that travels, with identity, orders, coupons and conversation as
/// separate processes on real ports.
@Suite("Conversation: the context that travels, as separate processes", .serialized)
struct ConversationJourneyTests {
    static let services = ["identity", "orders", "coupons", "conversation"]

    @Test("an Instagram ad click travels to the Messenger bot, the store clerk and the call center, with the order and a replacement case")
    func contextTravels() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            let identity = suite.sender("identity"), orders = suite.sender("orders"), conversation = suite.sender("conversation")
            let customer = try await identity.call(ResolveIdentifier(identifier: IdentifierInput(.instagram, "@lea.walks")), channel: "instagram")
                .customerId
            let click = try await conversation.call(RecordTouchpoint(
                customerId: customer, kind: .adClick, campaign: "spring-aria", productId: "shoe-aria", sku: "shoe-aria-red-38",
                attributes: ["colour": "red", "size": "38"], price: Money(amountMinor: 8_999, currency: "EUR")), channel: "instagram")

            // The Messenger bot, then the store clerk: the same interest, from the same fold.
            let bot = try await suite.context(of: customer, on: "messenger")
            #expect(bot.view.touchpoints.first?.sku == "shoe-aria-red-38" && bot.view.touchpoints.first?.price?.amountMinor == 8_999)
            let _ = try await conversation.call(RecordMessage(customerId: customer, direction: .inbound, text: "are the red ones comfortable?"),
                                        channel: "messenger")
            let clerk = try await suite.context(of: customer, on: "store")
            #expect(clerk.view.touchpoints.map(\.touchpointId) == [click.touchpointId])

            // She buys in the store; the call center sees the order.
            let _ = try await orders.call(AddToCart(customerId: customer, sku: "shoe-aria-red-38", quantity: 1), channel: "store")
            let order = try await orders.call(Checkout(customerId: customer, fulfilment: .pickup(at: "berlin-mitte")), channel: "store")
            for status in [OrderStatus.readyForPickup, .collected] {
                let _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: status, storeId: "berlin-mitte"), channel: "store")
            }
            try await suite.caughtUp(with: "orders")
            let operatorView = try await suite.context(of: customer, on: "call_center")
            #expect(operatorView.view.orders.map(\.orderId) == [order.orderId])
            #expect(operatorView.view.orders.first?.status == .collected)

            // She calls: the heel broke. The operator opens a case and offers a replacement through orders.
            let opened = try await conversation.call(OpenCase(customerId: customer, subject: "Heel broke after a week", priority: .high,
                                                              followUpChannel: "email", orderIds: [order.orderId]), channel: "call_center")
            let returned = try await orders.call(ReturnItems(orderId: order.orderId, sku: "shoe-aria-red-38", quantity: 1,
                                                             reason: "heel broke", resolution: .replacement), channel: "call_center")
            let replacement = try #require(returned.replacement)
            let _ = try await conversation.call(UpdateCase(caseId: opened.caseId, note: "replacement instead of a refund",
                                                           orderIds: [replacement.orderId]), channel: "call_center")
            let _ = try await conversation.call(RecordMessage(customerId: customer, direction: .outbound, text: "Your replacement is on its way.",
                                                      caseId: opened.caseId), channel: "email")
            let resolved = try await conversation.call(UpdateCase(caseId: opened.caseId, status: .resolved, goodwill: true), channel: "call_center")
            #expect(resolved.timeline.map(\.kind) == [.opened, .orderLinked, .note, .message, .status, .goodwill])
            #expect(resolved.timeline.map(\.channel) == ["call_center", "call_center", "call_center", "email", "call_center", "call_center"])
            let full = try await conversation.call(GetCase(caseId: opened.caseId), channel: "call_center")
            #expect(full.subject == "Heel broke after a week" && full.orderIds == [order.orderId, replacement.orderId])

            try await suite.caughtUp(with: "orders")
            let later = try await suite.context(of: customer, on: "call_center")
            #expect(later.view.orders.first { $0.orderId == order.orderId }?.returns.first?.resolution == .replacement)
            #expect(later.view.cases.first?.status == .resolved)
            // The goodwill gesture: coupons issues the goodwill coupon on conversation's event.
            try await eventually("coupons issued the goodwill coupon") {
                try await suite.sender("coupons").call(GetWallet(customerId: customer), channel: "app").coupons.map(\.campaignId).contains("goodwill-15")
            }
            let conversationView = try await conversation.call(GetConversation(customerId: customer), channel: "call_center")
            #expect(conversationView.channels == ["messenger", "email"])
        }
    }

    @Test("the context keeps answering while orders is stopped, saying how far it got, and catches up once orders is back")
    func contextWhileOrdersIsDown() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            let identity = suite.sender("identity"), orders = suite.sender("orders")
            let customer = try await identity.call(ResolveIdentifier(identifier: IdentifierInput(.email, "max@example.com")), channel: "web")
                .customerId
            let _ = try await orders.call(AddToCart(customerId: customer, sku: "socks-trio", quantity: 2), channel: "web")
            try await suite.caughtUp(with: "orders")
            let ordersHead = try await orders.health().head
            try await suite.stop("orders")

            let stale = try await suite.context(of: customer, on: "call_center")
            #expect(stale.view.cart?.items.map(\.quantity) == [2])
            #expect(stale.applied["orders"] == ordersHead, "it says how far it got from orders")

            try suite.start("orders")
            let _ = try await orders.call(AddToCart(customerId: customer, sku: "socks-trio", quantity: 1), channel: "app")
            try await suite.caughtUp(with: "orders")
            let fresh = try await suite.context(of: customer, on: "call_center")
            #expect(fresh.view.cart?.items.map(\.quantity) == [3])
            #expect(fresh.applied["orders"] == ordersHead + 1, "one more event, applied once")
        }
    }
}

extension ServiceProcesses {
    /// Waits until conversation has applied `source` through its head.
    func caughtUp(with source: String) async throws {
        let head = try await sender(source).health().head
        try await eventually("conversation applied \(source) through \(head)") {
            try await sender("conversation").health().subscriptions[source]?.applied == head
        }
    }

    func context(of customerId: String, on channel: String) async throws -> CustomerContext {
        try await sender("conversation").call(GetContext(customerId: customerId), channel: channel)
    }
}
