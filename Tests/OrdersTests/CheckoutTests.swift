import Foundation
import OmnibusContracts
import Testing

@Suite("Orders: checkout, click & collect, cancel, returns")
struct CheckoutTests {
    static let home = ShippingAddress(name: "Lea Example", lines: ["Hauptstr. 1"], postalCode: "10115", city: "Berlin", country: "DE")

    @Test("click & collect: bought on the web, the store lists it, marks it ready, then collected")
    func clickAndCollect() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-red-38", 2, channel: "web")
            let order = try await orders.checkout(customer, .pickup(at: "berlin"), channel: "web")
            #expect(order.status == .placed)
            #expect(order.total == Money(amountMinor: 2 * 8999, currency: "EUR"))
            #expect(order.channel == "web")
            #expect(try await orders.cart(customer).lines.isEmpty, "the cart became the order")
            #expect(try await orders.stock("shoe-red-38", at: "berlin") == StockLevel(storeId: "berlin", sku: "shoe-red-38", onHand: 3, reserved: 2))

            let pickups = try await orders.call(ListPickups(storeId: "berlin"), channel: "store")
            #expect(pickups.orders.map(\.orderId) == [order.orderId])

            let otherStore = try await orders.send(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "hamburg"),
                channel: "store")
            #expect(otherStore.error?.code == .forbidden)
            let tooEarly = try await orders.send(AdvanceOrder(orderId: order.orderId, to: .collected, storeId: "berlin"),
                channel: "store")
            #expect(tooEarly.error?.code == .conflict)

            let ready = try await orders.call(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "berlin"), channel: "store")
            #expect(ready.status == .readyForPickup)
            let collected = try await orders.call(AdvanceOrder(orderId: order.orderId, to: .collected, storeId: "berlin"), channel: "store")
            #expect(collected.status == .collected)
            #expect(try await orders.stock("shoe-red-38", at: "berlin") == StockLevel(storeId: "berlin", sku: "shoe-red-38", onHand: 1, reserved: 0))
            let open = try await orders.call(ListPickups(storeId: "berlin"), channel: "store")
            #expect(open.orders.isEmpty)

            let statusEvents = try orders.events(OrdersEvent.OrderReadyForPickup.type, as: OrdersEvent.OrderStatusChanged.self)
            #expect(statusEvents.map(\.data.orderId) == [order.orderId])
            #expect(statusEvents.first?.customerId == customer, "notifications can find whom to tell")
            #expect(try orders.events(OrdersEvent.OrderCollected.type, as: OrdersEvent.OrderStatusChanged.self).count == 1)
            #expect(try orders.events(OrdersEvent.OrderPlaced.type, as: OrdersEvent.OrderPlaced.self).map(\.data.storeId) == ["berlin"])
        }
    }

    @Test("home delivery ships from the warehouse, is delivered, and the address stays out of events and stored replies")
    func homeDelivery() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "tee-white-m", 3)
            let order = try await orders.checkout(customer, .ship(to: Self.home))
            #expect(order.fulfilment.storeId == "warehouse")
            #expect(order.fulfilment.address == nil, "a stored reply carries no address")
            #expect(try await orders.order(order.orderId).fulfilment.address == Self.home)
            // The lifecycle moves only from the channel that owns it.
            let fromApp = try await orders.send(AdvanceOrder(orderId: order.orderId, to: .shipped), channel: "app")
            #expect(fromApp.error?.code == .forbidden)
            for status in [OrderStatus.shipped, .delivered] {
                let moved = try await orders.call(AdvanceOrder(orderId: order.orderId, to: status), channel: "backoffice")
                #expect(moved.status == status)
            }
            #expect(try await orders.stock("tee-white-m", at: "warehouse")?.onHand == 7)
            let envelopes = try orders.allEnvelopes()
            #expect(envelopes.contains { $0.contains(order.orderId) })
            #expect(!envelopes.contains { $0.contains("Hauptstr") || $0.contains("Lea Example") })
        }
    }

    @Test("a cancelled order gives its stock back")
    func cancelReleasesStock() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-black-38", 3)
            let order = try await orders.checkout(customer, .pickup(at: "berlin"))
            #expect(try await orders.stock("shoe-black-38", at: "berlin")?.available == 0)

            let cancelled = try await orders.call(CancelOrder(orderId: order.orderId, reason: "found them cheaper"), channel: "call_center")
            #expect(cancelled.status == .cancelled)
            #expect(try await orders.stock("shoe-black-38", at: "berlin") == StockLevel(storeId: "berlin", sku: "shoe-black-38", onHand: 3, reserved: 0))
            let again = try await orders.send(CancelOrder(orderId: order.orderId, reason: "twice"))
            #expect(again.error?.code == .conflict)
            #expect(try orders.events(OrdersEvent.OrderCancelled.type, as: OrdersEvent.OrderStatusChanged.self).map(\.data.reason) == ["found them cheaper"])

            let other = OrdersHarness.newCustomerId()
            try await orders.add(other, "shoe-black-38", 3)
            #expect(try await orders.checkout(other, .pickup(at: "berlin")).status == .placed, "the released stock sells again")
        }
    }

    @Test("a return becomes a replacement: a new order for another variant, linked to the original")
    func returnAsReplacement() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-red-38", channel: "web")
            let order = try await orders.checkout(customer, .pickup(at: "berlin"))
            for status in [OrderStatus.readyForPickup, .collected] {
                let _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: status, storeId: "berlin"), channel: "store")
            }

            let wrongProduct = try await orders.send(ReturnItems(orderId: order.orderId, sku: "shoe-red-38", quantity: 1, reason: "too small", resolution: .replacement,
                            replacementSku: "tee-white-m"),
                channel: "call_center")
            #expect(wrongProduct.error?.code == .invalidArgument)

            let outcome = try await orders.call(ReturnItems(orderId: order.orderId, sku: "shoe-red-38", quantity: 1, reason: "too small", resolution: .replacement,
                            replacementSku: "shoe-red-40"),
                channel: "call_center")
            let replacement = try #require(outcome.replacement)
            #expect(replacement.replacesOrderId == order.orderId)
            #expect(replacement.lines.map(\.sku) == ["shoe-red-40"])
            #expect(replacement.total == Money(amountMinor: 0, currency: "EUR"))
            #expect(replacement.fulfilment.storeId == "berlin")
            #expect(replacement.status == .placed)
            #expect(outcome.order.returns.map(\.replacementOrderId) == [replacement.orderId])
            #expect(outcome.order.returns.first?.channel == "call_center")
            #expect(outcome.order.lines.first?.returnedQuantity == 1)
            #expect(try await orders.stock("shoe-red-40", at: "berlin")?.reserved == 1)

            let twice = try await orders.send(ReturnItems(orderId: order.orderId, sku: "shoe-red-38", quantity: 1, reason: "again", resolution: .refund))
            #expect(twice.error?.code == .conflict, "one bought, one returned already")

            let history = try await orders.call(GetPurchaseHistory(customerId: customer), channel: "call_center")
            #expect(Set(history.orders.map(\.orderId)) == [order.orderId, replacement.orderId])
            let returned = try orders.events(OrdersEvent.OrderReturned.type, as: OrdersEvent.OrderReturned.self)
            #expect(returned.map(\.data.replacementOrderId) == [replacement.orderId])
        }
    }

    @Test("a refund returns the price paid")
    func returnAsRefund() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "tee-white-m", 2)
            let order = try await orders.checkout(customer, .ship(to: Self.home))
            for status in [OrderStatus.shipped, .delivered] {
                let _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: status), channel: "backoffice")
            }
            let outcome = try await orders.call(ReturnItems(orderId: order.orderId, sku: "tee-white-m", quantity: 2, reason: "faded", resolution: .refund))
            #expect(outcome.replacement == nil)
            #expect(outcome.order.returns.map(\.refund) == [Money(amountMinor: 2 * 1999, currency: "EUR")])
        }
    }

    @Test("a retried checkout (same request id) places one order")
    func idempotentCheckout() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "tee-white-m")
            let request = Checkout(customerId: customer, fulfilment: .pickup(at: "berlin"))
            let first = try await orders.call(request, id: "checkout-1")
            let again = try await orders.call(request, id: "checkout-1")
            #expect(first == again)
            #expect(try orders.events(OrdersEvent.OrderPlaced.type, as: OrdersEvent.OrderPlaced.self).count == 1)
            #expect(try await orders.stock("tee-white-m", at: "berlin")?.reserved == 1)
        }
    }
}
