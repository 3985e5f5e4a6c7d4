import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// `orders.order.return`: items of a handed-over order come back, refunded or replaced.
enum Returns {
    static func record(_ input: ReturnItems, context: CommandContext) throws -> ReturnOutcome {
        let db = context.db
        try Validation.quantity(input.quantity)
        try Validation.reason(input.reason)
        let order = try Orders.record(input.orderId, in: db)
        guard order.status == .collected || order.status == .delivered else {
            throw OmnibusError(.conflict, "order \(order.id) is \(order.status.rawValue); only collected or delivered orders take returns")
        }
        guard var line = try OrderLineRecord.fetchOne(db, key: ["orderId": order.id, "sku": input.sku]) else {
            throw OmnibusError(.notFound, "order \(order.id) has no line '\(InputCheck.excerpt(input.sku))'")
        }
        guard line.returnedQuantity + input.quantity <= line.quantity else {
            throw OmnibusError(.conflict, "\(line.quantity - line.returnedQuantity) of \(line.sku) can still be returned; \(input.quantity) asked")
        }
        line.returnedQuantity += input.quantity
        try line.update(db)

        var replacementOrderId: String?
        var refundMinor: Int64 = 0
        switch input.resolution {
        case .refund:
            refundMinor = line.unitPriceMinor * Int64(input.quantity)
        case .replacement:
            replacementOrderId = try placeReplacement(for: order, line: line, input: input, context: context)
        }
        let returned = ReturnRecord(
            id: "ret_" + UUID().uuidString.lowercased(), orderId: order.id, sku: input.sku, quantity: input.quantity,
            reason: input.reason, resolution: input.resolution, refundMinor: refundMinor,
            replacementOrderId: replacementOrderId, channel: context.channel, recordedAt: Timestamp.now().millisecondsSince1970,
            goodwill: input.goodwill)
        try returned.insert(db)
        try context.emit(OrdersEvent.OrderReturned(
            orderId: order.id, customerId: order.customerId, returnId: returned.id, sku: input.sku, quantity: input.quantity,
            reason: input.reason, resolution: input.resolution, refund: Money(amountMinor: refundMinor, currency: order.currency),
            replacementOrderId: replacementOrderId, goodwill: input.goodwill), customerId: order.customerId)
        return ReturnOutcome(
            order: try Orders.view(order, includeAddress: false, in: db),
            replacement: try replacementOrderId.map { try Orders.view($0, includeAddress: false, in: db) })
    }

    /// A new order, at no charge, for `replacementSku` (a variant of the same product),
    /// sent the way the original was: from its pickup store, or shipped to its address.
    private static func placeReplacement(for order: OrderRecord, line: OrderLineRecord, input: ReturnItems,
                                         context: CommandContext) throws -> String {
        let db = context.db
        guard let customerId = order.customerId else {
            throw OmnibusError(.conflict, "order \(order.id) belongs to an erased customer; only a refund is possible")
        }
        let sku = input.replacementSku ?? input.sku
        let original = try Catalog.anyItem(line.sku, in: db)
        let replacement = try Catalog.item(sku, in: db)
        guard replacement.variant.productId == original?.variant.productId else {
            throw OmnibusError(.invalidArgument, "a replacement is a variant of the same product; \(sku) is not")
        }
        let items = [(sku: sku, quantity: input.quantity)]
        let fulfilment = Fulfilment(kind: order.fulfilment, storeId: order.fulfilment == .pickup ? order.storeId : nil,
                                    address: order.address)
        let storeId: String
        do {
            storeId = try OrderCommands.fulfillingStore(for: fulfilment, items: items, in: db)
        } catch let error as OmnibusError where error.code == .conflict {
            throw OmnibusError(.conflict, "no stock for a replacement with \(sku); offer a refund or another variant")
        }
        let plan = CheckoutPlan(
            checkoutId: "chk_" + UUID().uuidString.lowercased(), orderId: Orders.newOrderId(), customerId: customerId,
            fulfilment: order.fulfilment, storeId: storeId, address: order.address, currency: order.currency,
            items: [CheckoutPlan.Item(sku: sku, quantity: input.quantity, unitPriceMinor: 0)],
            channel: context.channel, fromCart: false, replacesOrderId: order.id)
        return try CheckoutProcess.start(plan, emitter: context).orderId
    }
}
