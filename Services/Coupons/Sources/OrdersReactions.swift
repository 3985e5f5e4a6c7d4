import GRDB
import OmnibusContracts
import OmnibusService

/// What coupons does with orders' events: a customer's first order, and a return accepted as
/// a goodwill gesture, issue a coupon of every running campaign whose rule says so
/// (`autoIssue: ["first_order"]`, `["goodwill_return"]`), and a cancelled order gives back
/// the coupon it redeemed, when its campaign says so. Everything else orders says
/// is not coupons' business.
enum OrdersReactions {
    /// The channel recorded on coupons a campaign rule issued.
    static let automaticChannel = "auto"

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
            try autoIssue(.goodwillReturn, to: customerId, emitter: context)
        }
        let handled = [OrdersEvent.OrderPlaced.type, OrdersEvent.OrderCancelled.type, OrdersEvent.OrderReturned.type]
        registry.ignore(OrdersEvent.all.filter { !handled.contains($0.type) })
    }

    static func firstOrder(of customerId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customer = try liveCustomer(customerId, in: db) else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO orderingCustomer (customerId) VALUES (?)", arguments: [customer])
        guard db.changesCount > 0 else { return }
        try autoIssue(.firstOrder, to: customer, emitter: emitter)
    }

    /// Issues `customerId` (mapped through merges; nothing for an erased one) a coupon of
    /// every running personal-code campaign whose rule names `trigger`.
    static func autoIssue(_ trigger: AutoIssueTrigger, to customerId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customer = try liveCustomer(customerId, in: db) else { return }
        let now = Timestamp.now()
        for record in try CampaignRecord.order(Column("id")).fetchAll(db) {
            let campaign = try record.campaign()
            guard campaign.autoIssue?.contains(trigger) == true, campaign.isActive, campaign.sharedCode == nil,
                  campaign.validUntil.map({ now < $0 }) ?? true else { continue }
            _ = try Coupons.issue(campaign, to: customer, channel: automaticChannel, emitter: emitter)
        }
    }

    /// The customer `id` stands for after merges, or nil when malformed or erased.
    private static func liveCustomer(_ id: String, in db: Database) throws -> String? {
        let customer = try KnownCustomers.survivor(of: id, in: db)
        guard KnownCustomers.isWellFormed(customer), try !KnownCustomers.isErased(customer, in: db) else { return nil }
        return customer
    }
}
