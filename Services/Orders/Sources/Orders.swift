import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// Reading orders and moving them through their lifecycle.
enum Orders {
    static func newOrderId() -> String { "ord_" + UUID().uuidString.lowercased() }

    static func record(_ orderId: String, in db: Database) throws -> OrderRecord {
        guard let order = try OrderRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM purchaseOrder WHERE id = ?"), arguments: [orderId]) else {
            throw OmnibusError(.notFound, "no order '\(InputCheck.excerpt(orderId))'")
        }
        return order
    }

    static func lines(of orderId: String, in db: Database) throws -> [OrderLineRecord] {
        try OrderLineRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM orderLine WHERE orderId = ? ORDER BY sku"), arguments: [orderId])
    }

    /// The order as channels see it; `includeAddress` is false for replies that are stored.
    static func view(_ order: OrderRecord, includeAddress: Bool, in db: Database) throws -> OrderView {
        let lines = try lines(of: order.id, in: db).map { line in
            let item = try Catalog.anyItem(line.sku, in: db)
            return OrderLine(sku: line.sku, productId: item?.variant.productId ?? "", name: item?.productName ?? line.sku,
                             attributes: item?.variant.attributes ?? [:], quantity: line.quantity,
                             unitPrice: Money(amountMinor: line.unitPriceMinor, currency: order.currency),
                             returnedQuantity: line.returnedQuantity)
        }
        let returns = try ReturnRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM orderReturn WHERE orderId = ? ORDER BY recordedAt, id"), arguments: [order.id]
        ).map {
            ReturnView(returnId: $0.id, sku: $0.sku, quantity: $0.quantity, reason: $0.reason, resolution: $0.resolution,
                       refund: Money(amountMinor: $0.refundMinor, currency: order.currency),
                       replacementOrderId: $0.replacementOrderId, channel: $0.channel,
                       recordedAt: Timestamp(millisecondsSince1970: $0.recordedAt), goodwill: $0.goodwill)
        }
        return OrderView(
            orderId: order.id, customerId: order.customerId, status: order.status,
            fulfilment: Fulfilment(kind: order.fulfilment, storeId: order.storeId, address: includeAddress ? order.address : nil),
            lines: lines, total: Money(amountMinor: order.totalMinor, currency: order.currency), channel: order.channel,
            placedAt: Timestamp(millisecondsSince1970: order.placedAt), updatedAt: Timestamp(millisecondsSince1970: order.updatedAt),
            replacesOrderId: order.replacesOrderId, returns: returns, coupon: order.coupon)
    }

    /// Refuses (`conflict`) to move an order whose checkout is still confirming its coupon:
    /// until then the checkout may yet cancel the order itself.
    static func checkNotHeld(_ orderId: String, in db: Database) throws {
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM checkout WHERE orderId = ? AND status = ?"),
                             arguments: [orderId, CheckoutStatus.running.rawValue]) == true {
            throw OmnibusError(.conflict, "order \(orderId) is still confirming its coupon; try again in a moment")
        }
    }

    static func view(_ orderId: String, includeAddress: Bool, in db: Database) throws -> OrderView {
        try view(try record(orderId, in: db), includeAddress: includeAddress, in: db)
    }

    /// The statuses each status may move to by `orders.order.advance`.
    static func next(_ status: OrderStatus, fulfilment: Fulfilment.Kind) -> [OrderStatus] {
        switch (status, fulfilment) {
        case (.placed, .pickup): [.readyForPickup]
        case (.readyForPickup, .pickup): [.collected]
        case (.placed, .ship): [.shipped]
        case (.shipped, .ship): [.delivered]
        default: []
        }
    }

    /// The channels that own each step of an order's life: a store hands over its pickups, the
    /// back office (the warehouse's fulfilment) ships and confirms delivery. A request without
    /// a channel (ops, a service) may move any step.
    static let owners: [OrderStatus: Set<String>] = [
        .readyForPickup: ["store"], .collected: ["store"], .shipped: ["backoffice"], .delivered: ["backoffice"],
    ]

    /// `forbidden` unless `channel` owns the step to `status`.
    static func checkOwner(of status: OrderStatus, channel: String?) throws {
        guard let channel, let owners = owners[status], !owners.contains(channel) else { return }
        throw OmnibusError(.forbidden, "only \(owners.sorted().joined(separator: " or ")) may mark an order \(status.rawValue)")
    }

    /// Moves an order on. Handing over (collected, shipped) takes its items off the shelf.
    static func advance(_ input: AdvanceOrder, emitter: some EventEmitting) throws -> OrderView {
        let db = emitter.db
        var order = try record(input.orderId, in: db)
        try checkNotHeld(order.id, in: db)
        if order.fulfilment == .pickup, let storeId = input.storeId, storeId != order.storeId {
            throw OmnibusError(.forbidden, "order \(order.id) is picked up at \(order.storeId ?? "?"), not at \(storeId)")
        }
        guard next(order.status, fulfilment: order.fulfilment).contains(input.to) else {
            throw OmnibusError(.conflict, "a \(order.fulfilment.rawValue) order that is \(order.status.rawValue) cannot become \(input.to.rawValue)")
        }
        if input.to == .collected || input.to == .shipped, let storeId = order.storeId {
            for line in try lines(of: order.id, in: db) {
                try Stock.handOver(line.sku, line.quantity, at: storeId, emitter: emitter)
            }
        }
        try setStatus(&order, input.to, reason: nil, emitter: emitter)
        return try view(order, includeAddress: false, in: db)
    }

    /// Cancels a placed or ready order and gives its reserved stock back.
    static func cancel(_ input: CancelOrder, emitter: some EventEmitting) throws -> OrderView {
        try Validation.reason(input.reason)
        let db = emitter.db
        var order = try record(input.orderId, in: db)
        try checkNotHeld(order.id, in: db)
        guard order.status == .placed || order.status == .readyForPickup else {
            throw OmnibusError(.conflict, "order \(order.id) is \(order.status.rawValue); only placed or ready orders can be cancelled")
        }
        if let storeId = order.storeId {
            for line in try lines(of: order.id, in: db) {
                try Stock.release(line.sku, line.quantity, at: storeId, emitter: emitter)
            }
        }
        try setStatus(&order, .cancelled, reason: input.reason, emitter: emitter)
        return try view(order, includeAddress: false, in: db)
    }

    static func setStatus(_ order: inout OrderRecord, _ status: OrderStatus, reason: String?, emitter: some EventEmitting) throws {
        order.status = status
        order.updatedAt = Timestamp.now().millisecondsSince1970
        try order.update(emitter.db)
        let change = OrdersEvent.OrderStatusChanged(
            orderId: order.id, customerId: order.customerId, status: status, fulfilment: order.fulfilment,
            storeId: order.storeId, reason: reason)
        guard let event = OrdersEvent.statusEvent(change) else {
            throw OmnibusError(.internal, "order \(order.id) cannot be placed again")
        }
        try emitter.emit(event, customerId: order.customerId)
    }
}
