import Foundation
import GRDB
import OmnibusContracts
import Testing
@testable import OrdersService

@Suite("Orders: the cart that follows the customer")
struct CartTests {
    @Test("cart continuity: two items in the app, read on the web, one more at the store, read in the app")
    func cartContinuity() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-red-38", channel: "app")
            try await orders.add(customer, "tee-white-m", 2, channel: "app")

            let onWeb = try await orders.cart(customer, channel: "web")
            #expect(onWeb.lines.map(\.sku) == ["shoe-red-38", "tee-white-m"])

            try await orders.add(customer, "shoe-black-38", channel: "store")
            let inApp = try await orders.cart(customer, channel: "app")
            #expect(inApp.lines.map(\.sku) == ["shoe-red-38", "tee-white-m", "shoe-black-38"])
            #expect(inApp.lines.map(\.channel) == ["app", "app", "store"])
            #expect(inApp.lines.map(\.quantity) == [1, 2, 1])
            #expect(inApp.total == Money(amountMinor: 8999 + 2 * 1999 + 9499, currency: "EUR"))
            #expect(inApp.version == 3)

            let added = try orders.events(OrdersEvent.CartItemAdded.type, as: OrdersEvent.CartChanged.self)
            #expect(added.map(\.channel) == ["app", "app", "store"])
            #expect(added.last?.data.items.count == 3)
            #expect(added.allSatisfy { $0.customerId == customer })
        }
    }

    @Test("orders keeps its carts in 2 KiB pages: a cart add rewrites scattered pages whole")
    func ordersDatabasePageSize() async throws {
        try await OrdersHarness.with { orders in
            let pageSize = try DatabaseQueue(path: orders.databasePath).read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") }
            #expect(pageSize == 2048)
        }
    }

    @Test("prices come from the catalog, and adding a SKU again adds to its line")
    func pricesAndQuantities() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "tee-white-m", 1, channel: "web")
            let cart = try await orders.add(customer, "tee-white-m", 2, channel: "app")
            #expect(cart.lines.count == 1)
            #expect(cart.lines[0].quantity == 3)
            #expect(cart.lines[0].channel == "web", "a line remembers the channel that added it")
            #expect(cart.lines[0].unitPrice == Money(amountMinor: 1999, currency: "EUR"))

            let changed = try await orders.call(SetCartQuantity(customerId: customer, sku: "tee-white-m", quantity: 1))
            #expect(changed.lines[0].quantity == 1)
            let removed = try await orders.call(RemoveFromCart(customerId: customer, sku: "tee-white-m"))
            #expect(removed.lines.isEmpty)
            #expect(removed.total == nil)
            #expect(try orders.events(OrdersEvent.CartItemRemoved.type, as: OrdersEvent.CartChanged.self).map(\.data.quantity) == [0])
        }
    }

    @Test("two channels editing at once lose no update")
    func concurrentEdits() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            async let fromApp: Void = addRepeatedly(orders, customer, channel: "app", times: 20)
            async let fromWeb: Void = addRepeatedly(orders, customer, channel: "web", times: 20)
            _ = try await (fromApp, fromWeb)
            let cart = try await orders.cart(customer)
            #expect(cart.lines.map(\.sku) == ["tee-white-m"])
            #expect(cart.lines.first?.quantity == 40)
            #expect(cart.version == 40)
        }
    }

    private func addRepeatedly(_ orders: OrdersHarness, _ customer: String, channel: String, times: Int) async throws {
        for _ in 0..<times { try await orders.add(customer, "tee-white-m", channel: channel) }
    }

    @Test("a stale edit is refused with conflict and the current cart, and changes nothing")
    func staleEdit() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            let seenByApp = try await orders.add(customer, "shoe-red-38", channel: "app")
            try await orders.add(customer, "tee-white-m", channel: "web")
            let head = try await orders.head()

            let reply = try await orders.send(SetCartQuantity(customerId: customer, sku: "shoe-red-38", quantity: 5, expectedVersion: seenByApp.version))
            #expect(reply.error?.code == .conflict)
            let current = try #require(reply.error?.details(as: CartView.self))
            #expect(current.version == seenByApp.version + 1)
            #expect(current.lines.map(\.sku) == ["shoe-red-38", "tee-white-m"])
            #expect(try await orders.head() == head, "a refused edit emits nothing")
            #expect(try await orders.cart(customer) == current)

            let retried = try await orders.call(SetCartQuantity(customerId: customer, sku: "shoe-red-38", quantity: 5, expectedVersion: current.version))
            #expect(retried.lines.first?.quantity == 5)
        }
    }

    @Test("a retried add (same request id) adds once")
    func idempotentAdd() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            let request = AddToCart(customerId: customer, sku: "tee-white-m", quantity: 2)
            let first = try await orders.call(request, id: "add-1")
            let again = try await orders.call(request, id: "add-1")
            #expect(first == again)
            #expect(try await orders.cart(customer).lines.first?.quantity == 2)
        }
    }

    @Test("a retried cart command applies once and answers with the cart as it is now; only the customer id is kept for it")
    func retryRereadsTheCart() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            let add = AddToCart(customerId: customer, sku: "tee-white-m", quantity: 1)
            let first = try await orders.call(add, channel: "app", id: "retry-add-1")
            #expect(first.version == 1 && first.lines.map(\.quantity) == [1])
            #expect(try await orders.call(add, channel: "app", id: "retry-add-1") == first, "the same cart: applied once")

            // Another channel changes the cart; the retry shows the cart as it now is, not a stale one.
            let later = try await orders.add(customer, "shoe-red-38", channel: "web")
            let retried = try await orders.call(add, channel: "app", id: "retry-add-1")
            #expect(retried == later && retried.lines.first { $0.sku == "tee-white-m" }?.quantity == 1)

            // What is kept for the retry is the key, not the cart.
            let database = try DatabaseQueue(path: orders.databasePath)
            let stored = try database.read { db in
                try Row.fetchOne(db, sql: "SELECT length(reply) AS bytes, rereadKey FROM commandReply WHERE requestId = ?",
                                 arguments: ["retry-add-1"])
            }
            #expect(stored?["bytes"] == 0)
            #expect(stored?["rereadKey"] == customer)
        }
    }

    @Test("an add answers the cart a read then returns, and its event carries the same lines, however close the adds come")
    func addAnswersTheStoredCart() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            // Sent together, most land in one batch and one millisecond, where (addedAt, sku) orders the lines.
            let skus = ["tee-white-m", "shoe-red-40", "shoe-red-38", "shoe-black-38", "tee-white-m"]
            let replies = try await withThrowingTaskGroup(of: CartView.self) { group in
                for sku in skus { group.addTask { try await orders.add(customer, sku, channel: "web") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let read = try await orders.cart(customer)
            #expect(replies.map(\.version).sorted() == Array(1...Int64(skus.count)))
            #expect(replies.first { $0.version == read.version } == read)
            let announced = try orders.events(OrdersEvent.CartItemAdded.type, as: OrdersEvent.CartChanged.self)
                + orders.events(OrdersEvent.CartQuantityChanged.type, as: OrdersEvent.CartChanged.self)
            for reply in replies {
                let event = announced.first { $0.data.version == reply.version }
                #expect(event?.data.items == reply.lines.map(\.item), "version \(reply.version)")
            }
        }
    }

    @Test("a line added in the same millisecond as others goes where (addedAt, sku) puts it")
    func linePosition() {
        let line = { (sku: String) in
            CartLine(sku: sku, productId: "p", name: "n", attributes: [:], quantity: 1,
                     unitPrice: Money(amountMinor: 1, currency: "EUR"), channel: nil)
        }
        let lines = [line("b"), line("d"), line("a")]
        let addedAt: [Int64] = [10, 10, 11]
        #expect(Carts.position(of: "c", addedAt: 10, among: lines, addedAt: addedAt) == 1)
        #expect(Carts.position(of: "a", addedAt: 10, among: lines, addedAt: addedAt) == 0)
        #expect(Carts.position(of: "e", addedAt: 10, among: lines, addedAt: addedAt) == 2)
        #expect(Carts.position(of: "a", addedAt: 12, among: lines, addedAt: addedAt) == 3)
        #expect(Carts.position(of: "z", addedAt: 9, among: [], addedAt: []) == 0)
    }
}
