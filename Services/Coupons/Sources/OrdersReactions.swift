import GRDB
import OmnibusContracts
import OmnibusService

/// What coupons does with orders' events: a customer's first order issues a coupon of every
/// running campaign whose rule says so (`autoIssue: ["first_order"]`), and a cancelled order
/// gives back the coupon it redeemed, when its campaign says so. Everything else orders says
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
        let handled = [OrdersEvent.OrderPlaced.type, OrdersEvent.OrderCancelled.type]
        registry.ignore(OrdersEvent.all.filter { !handled.contains($0.type) })
    }

    static func firstOrder(of customerId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        let customer = try KnownCustomers.survivor(of: customerId, in: db)
        guard KnownCustomers.isWellFormed(customer),
              try Bool.fetchOne(db, sql: "SELECT 1 FROM erasedCustomer WHERE id = ?", arguments: [customer]) != true else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO orderingCustomer (customerId) VALUES (?)", arguments: [customer])
        guard db.changesCount > 0 else { return }
        let now = Timestamp.now()
        for record in try CampaignRecord.order(Column("id")).fetchAll(db) {
            let campaign = try record.campaign()
            guard campaign.autoIssue?.contains(.firstOrder) == true, campaign.isActive, campaign.sharedCode == nil,
                  campaign.validUntil.map({ now < $0 }) ?? true else { continue }
            _ = try Coupons.issue(campaign, to: customer, channel: automaticChannel, emitter: emitter)
        }
    }
}
