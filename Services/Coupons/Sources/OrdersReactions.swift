import GRDB
import OmnibusContracts
import OmnibusService

/// What coupons does with orders' events: a customer's first order, and a return accepted as
/// a goodwill gesture, issue a coupon of every running campaign whose rule says so
/// (`autoIssue: ["first_order"]`, `["goodwill_return"]`), and a cancelled order gives back
/// the coupon it redeemed, when its campaign says so. Everything else orders says
/// is not coupons' business.
enum OrdersReactions {
    static func register(in registry: inout EventHandlerRegistry) {
        registry.on(OrdersEvent.OrderPlaced.self) { event, context in
            guard event.data.replacesOrderId == nil else { return }
            try firstOrder(of: event.data.customerId, emitter: context)
        }
        registry.on(OrdersEvent.OrderCancelled.self) { event, context in
            try Redemptions.orderCancelled(event.data.body.orderId, emitter: context)
        }
        registry.on(OrdersEvent.OrderReturned.self) { event, context in
            guard event.data.goodwill == true, let customerId = event.data.customerId else { return }
            try AutoIssue.issue(.goodwillReturn, to: customerId, emitter: context)
        }
        registry.ignoreUnhandled(OrdersEvent.all)
    }

    static func firstOrder(of customerId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customer = try AutoIssue.liveCustomer(customerId, in: db) else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO orderingCustomer (customerId) VALUES (?)", arguments: [customer])
        guard db.changesCount > 0 else { return }
        try AutoIssue.issue(.firstOrder, to: customer, emitter: emitter)
    }
}
