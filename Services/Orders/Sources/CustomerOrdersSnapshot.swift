import GRDB
import OmnibusContracts
import OmnibusService

/// Orders' state as a snapshot for front ends older than its retained log: each customer's
/// cart and orders as a ``CustomerView`` folds them from orders' events (``OrdersSnapshot``).
enum CustomerOrdersSnapshot {
    static let provider = SnapshotProvider(version: OrdersSnapshot.version, kinds: [
        SnapshotProvider.Kind(name: OrdersSnapshot.customerKind) { db, after, limit in try customers(after: after, limit: limit, in: db) },
    ])

    static func customers(after: String?, limit: Int, in db: Database) throws -> [SnapshotRecord] {
        // A cart at version 0 was never announced: the view has no cart for it.
        let ids = try String.fetchAll(db, sql: """
            SELECT customerId FROM cart WHERE customerId > ? AND version > 0
            UNION SELECT customerId FROM purchaseOrder WHERE customerId > ?
            ORDER BY 1 LIMIT ?
            """, arguments: [after ?? "", after ?? "", limit])
        guard !ids.isEmpty else { return [] }
        let cartRows = try Row.fetchAll(db, CartRecord.select(Column("customerId"), Column("version"), Column("eventSequence"))
            .filter(ids.contains(Column("customerId")) && Column("version") > 0))
        let carts = Dictionary(uniqueKeysWithValues: cartRows.map { row in (row["customerId"] as String, row) })
        let orders = Dictionary(grouping: try OrderRecord.filter(ids.contains(Column("customerId"))).fetchAll(db)) { $0.customerId ?? "" }
        let orderIds = orders.values.flatMap { $0.map(\.id) }
        let lines = Dictionary(grouping: try OrderLineRecord.filter(orderIds.contains(Column("orderId"))).order(Column.rowID).fetchAll(db),
                               by: \.orderId)
        let returns = Dictionary(grouping: try ReturnRecord.filter(orderIds.contains(Column("orderId"))).order(Column.rowID).fetchAll(db),
                                 by: \.orderId)
        return try ids.map { id in
            var cart: CustomerView.Cart?
            if let row = carts[id] {
                let lines = try Carts.view(of: id, in: db).lines
                cart = CustomerView.Cart(version: row["version"], items: lines.map(\.item), asOf: row["eventSequence"] ?? 0)
            }
            let newestFirst = (orders[id] ?? [])
                .map { order in view(of: order, lines: lines[order.id] ?? [], returns: returns[order.id] ?? []) }
                .sorted { ($0.placedSequence, $0.orderId) > ($1.placedSequence, $1.orderId) }
            let state = OrdersSnapshot.CustomerState(customerId: id, cart: cart, orders: newestFirst)
            return SnapshotRecord(kind: OrdersSnapshot.customerKind, key: id, data: try JSONValue(encoding: state))
        }
    }

    /// The order as `order.placed`, its status events and its `order.returned` events leave it in a view.
    private static func view(of order: OrderRecord, lines: [OrderLineRecord], returns: [ReturnRecord]) -> CustomerView.Order {
        let currency = order.currency
        return CustomerView.Order(
            orderId: order.id, placedSequence: order.placedSequence ?? 0, status: order.status, fulfilment: order.fulfilment,
            storeId: order.storeId,
            items: lines.map { line in
                OrdersEvent.CartItem(sku: line.sku, quantity: line.quantity,
                                     unitPrice: Money(amountMinor: line.unitPriceMinor, currency: currency), channel: order.channel)
            },
            total: Money(amountMinor: order.totalMinor, currency: currency), replacesOrderId: order.replacesOrderId,
            returns: returns.map { returned in
                CustomerView.Return(returnId: returned.id, sku: returned.sku, quantity: returned.quantity,
                                    resolution: returned.resolution, refund: Money(amountMinor: returned.refundMinor, currency: currency),
                                    replacementOrderId: returned.replacementOrderId)
            })
    }
}
