import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// `orders.checkout`, `orders.order.*` and `orders.pickups.list`.
enum OrderCommands {
    /// `coupons`: how to wake the coupon checkouts, nil when this service has no coupons
    /// service to apply a coupon with.
    static func register(in registry: inout CommandRegistry, coupons: CheckoutWakeup?) {
        registry.registerDeferred(Checkout.self) { input, context in
            try checkout(input, context: context, coupons: coupons)
        }
        registry.register(GetOrder.self) { input, context in
            try Orders.view(input.orderId, includeAddress: true, in: context.db)
        }
        registry.register(GetPurchaseHistory.self) { input, context in
            try history(input.customerId, in: context.db)
        }
        registry.register(AdvanceOrder.self) { input, context in
            try Orders.checkOwner(of: input.to, channel: context.channel)
            return try Orders.advance(input, emitter: context)
        }
        registry.register(CancelOrder.self) { input, context in
            try Orders.cancel(input, emitter: context)
        }
        registry.register(ReturnItems.self) { input, context in
            try Returns.record(input, context: context)
        }
        registry.register(ListPickups.self) { input, context in
            try pickups(input, in: context.db)
        }
    }

    /// Turns the cart into an order at today's catalog prices, from the pickup store or
    /// the first shipping store that has every item. With a coupon, the checkout is stored
    /// and ``CouponCheckouts`` finishes it; the caller waits for its reply.
    static func checkout(_ input: Checkout, context: CommandContext, coupons: CheckoutWakeup?) throws -> CommandOutcome<OrderView> {
        let db = context.db
        if input.couponCode != nil, let running = try CheckoutRecord.filter(Column("requestId") == context.requestId).fetchOne(db) {
            // The same request again while its checkout waits on coupons: wait for the same reply.
            guard running.status == .running else {
                throw OmnibusError(.conflict, "the checkout of request \(context.requestId) has ended and its reply is no longer kept")
            }
            return .pending(key: running.id)
        }
        let customerId = try KnownCustomers.current(input.customerId, in: db)
        // A checkout waiting on coupons has not yet taken its lines out of the cart: a second
        // one (a double submit, another channel) would order them twice.
        if try CheckoutRecord.filter(Column("customerId") == customerId && Column("status") == CheckoutStatus.running.rawValue).fetchCount(db) > 0 {
            throw OmnibusError(.conflict, "a checkout of this cart is under way; wait for its reply")
        }
        let cart = try Carts.view(of: customerId, in: db)
        try Carts.check(expectedVersion: input.expectedVersion, of: cart)
        guard !cart.lines.isEmpty else { throw OmnibusError(.invalidArgument, "the cart is empty; there is nothing to check out") }
        guard let total = cart.total else {
            let currencies = Set(cart.lines.map(\.unitPrice.currency)).sorted().joined(separator: " and ")
            throw OmnibusError(.conflict, "the cart mixes \(currencies) (two carts were merged); remove the lines in one of them",
                               details: try JSONValue(encoding: cart))
        }
        if let currency = input.currency {
            try InputCheck.currency(currency)
            guard currency == total.currency else {
                throw OmnibusError(.invalidArgument, "the cart is priced in \(total.currency), not \(currency)")
            }
        }
        for line in cart.lines where try Catalog.anyItem(line.sku, in: db)?.variant.active != true {
            throw OmnibusError(.conflict, "\(line.sku) is no longer sold; remove it from the cart", details: try JSONValue(encoding: cart))
        }
        let items = cart.lines.map { (sku: $0.sku, quantity: $0.quantity) }
        let storeId = try fulfillingStore(for: input.fulfilment, items: items, in: db)
        var plan = CheckoutPlan(
            checkoutId: "chk_" + UUID().uuidString.lowercased(), orderId: Orders.newOrderId(), customerId: customerId,
            fulfilment: input.fulfilment.kind, storeId: storeId, address: input.fulfilment.address, currency: total.currency,
            items: cart.lines.map {
                CheckoutPlan.Item(sku: $0.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPrice.amountMinor, productId: $0.productId)
            },
            channel: context.channel, fromCart: true, replacesOrderId: nil)
        guard let code = input.couponCode else { return .reply(try CheckoutProcess.start(plan, emitter: context)) }
        guard let coupons else {
            throw OmnibusError(.unavailable, "this orders service has no coupons service to apply a coupon with (no coupons in its configuration)")
        }
        guard (1...CouponsCommand.maxCodeBytes).contains(code.utf8.count) else {
            throw OmnibusError(.invalidArgument, "a coupon code is 1 to \(CouponsCommand.maxCodeBytes) bytes; got \(code.utf8.count)")
        }
        plan.coupon = CheckoutPlan.Coupon(code: code)
        plan.requestId = context.requestId
        _ = try CheckoutProcess.begin(plan, in: db)
        db.afterNextTransaction { _ in coupons.wake() }
        return .pending(key: plan.checkoutId)
    }

    /// The store that will reserve and hand over `items`: the named pickup store if it has
    /// them all, else (ship) the first shipping store that has them all; else `conflict`.
    static func fulfillingStore(for fulfilment: Fulfilment, items: [(sku: String, quantity: Int)], in db: Database) throws -> String {
        switch fulfilment.kind {
        case .pickup:
            guard let storeId = fulfilment.storeId else { throw OmnibusError(.invalidArgument, "a pickup names its storeId") }
            guard fulfilment.address == nil else { throw OmnibusError(.invalidArgument, "a pickup has no address") }
            guard try StoreRecord.exists(db, key: storeId) else {
                throw OmnibusError(.notFound, "no store '\(InputCheck.excerpt(storeId))'")
            }
            guard try Stock.canReserve(items, at: storeId, in: db) else {
                throw OmnibusError(.conflict, "store \(storeId) does not have every item in stock")
            }
            return storeId
        case .ship:
            guard let address = fulfilment.address else { throw OmnibusError(.invalidArgument, "a home delivery needs an address") }
            try Validation.address(address)
            let shipping = try StoreRecord.filter(Column("shipsOnline") == true).order(Column("id")).fetchAll(db)
            for store in shipping where try Stock.canReserve(items, at: store.id, in: db) { return store.id }
            throw OmnibusError(.conflict, "no shipping store has every item in stock")
        }
    }

    static func history(_ customerId: String, in db: Database) throws -> PurchaseHistory {
        let customerId = try KnownCustomers.current(customerId, in: db)
        let orders = try OrderRecord.filter(Column("customerId") == customerId)
            .order(Column("placedAt").desc, Column("id")).fetchAll(db)
        return PurchaseHistory(customerId: customerId, orders: try orders.map { try Orders.view($0, includeAddress: true, in: db) })
    }

    static func pickups(_ input: ListPickups, in db: Database) throws -> PickupList {
        guard try StoreRecord.exists(db, key: input.storeId) else {
            throw OmnibusError(.notFound, "no store '\(InputCheck.excerpt(input.storeId))'")
        }
        let statuses = (input.statuses ?? [.placed, .readyForPickup]).map(\.rawValue)
        let orders = try OrderRecord
            .filter(Column("storeId") == input.storeId && Column("fulfilment") == Fulfilment.Kind.pickup.rawValue
                    && statuses.contains(Column("status")))
            .order(Column("placedAt"), Column("id")).fetchAll(db)
        return PickupList(storeId: input.storeId, orders: try orders.map { try Orders.view($0, includeAddress: false, in: db) })
    }
}
