import Foundation
import GRDB
import IdentityService
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Orders consuming a real identity service's events over real sockets, in one process.
@Suite("Orders: identity's merges and erasures")
struct IdentityReactionTests {
    /// A running identity service and an orders service subscribed to it.
    struct Pair {
        let identityHost: InProcessIdentity
        let orders: OrdersHarness
        var identity: RunningRuntime { identityHost.service }
        var identityCommands: CommandSender { identityHost.commands }

        static func start() async throws -> Pair {
            let context = try ZMQContext()
            let identity = try await InProcessIdentity.start(context: context)
            do {
                return Pair(identityHost: identity, orders: try await OrdersHarness.start(identity: identity.service.asSource, context: context))
            } catch {
                try await identity.stop()
                throw error
            }
        }

        func resolve(_ kind: IdentifierKind, _ value: String, channel: String = "app") async throws -> String {
            try await identityHost.resolve(kind, value, channel: channel)
        }

        /// Logs `customerId` in with `email`, merging it into the e-mail's owner if there is one.
        func logIn(_ customerId: String, email: String) async throws -> MergeOutcome {
            try await identityCommands.call(LinkIdentifier(
                customerId: customerId, identifier: IdentifierInput(.email, email), verified: true, merge: true))
        }

        /// Waits until orders has applied everything identity has logged.
        func caughtUp() async throws {
            try await identityHost.waitUntilApplied(by: orders.commands)
        }

        func stop() async throws {
            try await orders.stop()
            try await identityHost.stop()
        }

        /// Runs `body` with both services started, and stops them however it ends.
        static func with<Result>(_ body: (Pair) async throws -> Result) async throws -> Result {
            try await scoped(try await start(), stop: { try await $0.stop() }, body)
        }
    }

    @Test("an anonymous app cart and a registered customer's cart become one cart on login, once")
    func loginMergesCarts() async throws {
        try await Pair.with { pair in
            let orders = pair.orders
            let registered = try await pair.resolve(.email, "lea@example.com", channel: "web")
            _ = try await pair.logIn(registered, email: "lea@example.com")
            try await orders.add(registered, "tee-white-m", 1, channel: "web")
            let anonymous = try await pair.resolve(.device, "ios-install-7", channel: "app")
            try await orders.add(anonymous, "tee-white-m", 2, channel: "app")
            try await orders.add(anonymous, "shoe-red-38", 1, channel: "app")

            let outcome = try await pair.logIn(anonymous, email: "lea@example.com")
            #expect(outcome.customerId == registered)
            try await pair.caughtUp()

            let cart = try await orders.cart(registered)
            #expect(cart.customerId == registered)
            #expect(cart.lines.map(\.sku) == ["tee-white-m", "shoe-red-38"])
            #expect(cart.lines.map(\.quantity) == [3, 1])
            #expect(try await orders.cart(anonymous) == cart, "the merged-away id reads the survivor's cart")
            try await orders.add(anonymous, "shoe-red-38", 1, channel: "app")
            #expect(try await orders.cart(registered).lines.last?.quantity == 2, "late commands for the old id land on the survivor")

            let merged = try orders.events(OrdersEvent.CartMerged.type, as: OrdersEvent.CartChanged.self)
            #expect(merged.map(\.data.mergedId) == [anonymous])
            #expect(merged.first?.customerId == registered)
        }
    }

    @Test("carts in two currencies merge without losing a line, and checkout asks to remove one currency")
    func mergeAcrossCurrencies() async throws {
        try await Pair.with { pair in
            let orders = pair.orders
            let registered = try await pair.resolve(.email, "max@example.com", channel: "web")
            _ = try await pair.logIn(registered, email: "max@example.com")
            try await orders.add(registered, "cap-usd")
            let anonymous = try await pair.resolve(.device, "android-77")
            try await orders.add(anonymous, "tee-white-m")
            _ = try await pair.logIn(anonymous, email: "max@example.com")
            try await pair.caughtUp()

            let cart = try await orders.cart(registered)
            #expect(Set(cart.lines.map(\.sku)) == ["cap-usd", "tee-white-m"])
            #expect(cart.total == nil, "no total adds dollars to euros")
            let refused = try await orders.send(Checkout(customerId: registered, fulfilment: .pickup(at: "berlin")))
            #expect(refused.error?.code == .conflict)
            #expect(refused.error?.message.contains("EUR and USD") == true)
            let _ = try await orders.call(RemoveFromCart(customerId: registered, sku: "cap-usd"))
            #expect(try await orders.checkout(registered, .pickup(at: "berlin")).total == Money(amountMinor: 1999, currency: "EUR"))
        }
    }

    @Test("merge chains: A into B, then B into C, leaves one cart and every order on C")
    func mergeChain() async throws {
        try await Pair.with { pair in
            let orders = pair.orders
            let a = try await pair.resolve(.device, "device-a")
            let b = try await pair.resolve(.device, "device-b")
            let c = try await pair.resolve(.email, "c@example.org")
            _ = try await pair.logIn(c, email: "c@example.org")
            try await orders.add(a, "tee-white-m")
            try await orders.add(b, "shoe-red-38")
            let order = try await orders.checkout(b, .pickup(at: "berlin"))
            try await orders.add(b, "shoe-black-38")

            let _ = try await pair.identityCommands.call(MergeCustomers(survivorId: b, mergedId: a))
            let _ = try await pair.identityCommands.call(MergeCustomers(survivorId: c, mergedId: b))
            try await pair.caughtUp()

            let cart = try await orders.cart(a)
            #expect(cart.customerId == c)
            #expect(Set(cart.lines.map(\.sku)) == ["tee-white-m", "shoe-black-38"])
            let history = try await orders.call(GetPurchaseHistory(customerId: a))
            #expect(history.customerId == c)
            #expect(history.orders.map(\.orderId) == [order.orderId])
        }
    }

    @Test("erasure deletes the cart, the address and the reasons the customer wrote, keeps the orders anonymously, and refuses the id afterwards")
    func erasure() async throws {
        let pair = try await Pair.start()
        let orders = pair.orders
        let customer = try await pair.resolve(.email, "gone@example.com")
        try await orders.add(customer, "tee-white-m", 2)
        let order = try await orders.checkout(customer, .ship(to: ShippingAddress(
            name: "Gone Person", lines: ["Vergessenweg 9"], postalCode: "20095", city: "Hamburg", country: "DE")))
        for status in [OrderStatus.shipped, .delivered] {
            _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: status), channel: "backoffice")
        }
        _ = try await orders.call(ReturnItems(orderId: order.orderId, sku: "tee-white-m", quantity: 1,
                                              reason: "Klaus next door says it itches", resolution: .refund))
        try await orders.add(customer, "shoe-red-38")
        let cancelled = try await orders.checkout(customer, .pickup(at: "berlin"))
        _ = try await orders.call(CancelOrder(orderId: cancelled.orderId, reason: "Klaus found it cheaper"))

        let _ = try await pair.identityCommands.call(EraseCustomer(customerId: customer))
        try await pair.caughtUp()

        let kept = try await orders.order(order.orderId)
        #expect(kept.customerId == nil)
        #expect(kept.fulfilment.address == nil)
        #expect(kept.total == Money(amountMinor: 2 * 1999, currency: "EUR"))
        let refused = try await orders.send(GetCart(customerId: customer))
        #expect(refused.error?.code == .notFound)
        let erased = try orders.events(OrdersEvent.CustomerDataErased.type, as: OrdersEvent.CustomerDataErased.self)
        #expect(erased.map(\.data.ordersAnonymised) == [2])
        #expect(try orders.events(OrdersEvent.OrderReturned.type, as: OrdersEvent.OrderReturned.self).map(\.data.reason) == [""])

        try await eventually("the erasure's compaction ran") { try await orders.commands.health().pendingCompactions == 0 }
        try await orders.stop(remove: false)
        for file in ["orders.sqlite", "orders.sqlite-wal"] {
            let path = orders.directory.file(file)
            guard let bytes = FileManager.default.contents(atPath: path) else { continue }
            #expect(bytes.range(of: Data("Vergessenweg".utf8)) == nil, "\(file) still holds the street")
            #expect(bytes.range(of: Data("Gone Person".utf8)) == nil, "\(file) still holds the name")
            #expect(bytes.range(of: Data("Klaus".utf8)) == nil, "\(file) still holds what the customer wrote")
        }
        orders.directory.remove()
        try await pair.identityHost.stop()
    }
}
