import GRDB
import OmnibusContracts
import OmnibusService

/// Stock per store and SKU: reserved at checkout, given back on cancel, taken off the
/// shelf when the order is handed over (collected or shipped).
enum Stock {
    static func level(_ sku: String, at storeId: String, in db: Database) throws -> StockRecord? {
        try StockRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM stock WHERE storeId = ? AND sku = ?"), arguments: [storeId, sku])
    }

    /// Whether `storeId` can reserve every `(sku, quantity)`.
    static func canReserve(_ items: [(sku: String, quantity: Int)], at storeId: String, in db: Database) throws -> Bool {
        try items.allSatisfy { item in
            (try level(item.sku, at: storeId, in: db)).map { $0.onHand - $0.reserved >= item.quantity } ?? false
        }
    }

    static func reserve(_ sku: String, _ quantity: Int, at storeId: String, emitter: some EventEmitting) throws {
        try change(sku, at: storeId, emitter: emitter) { stock in
            guard stock.onHand - stock.reserved >= quantity else {
                throw OmnibusError(.conflict, "store \(storeId) has \(stock.onHand - stock.reserved) of \(sku) available; \(quantity) asked")
            }
            stock.reserved += quantity
        }
    }

    static func release(_ sku: String, _ quantity: Int, at storeId: String, emitter: some EventEmitting) throws {
        try change(sku, at: storeId, emitter: emitter) { stock in stock.reserved = max(0, stock.reserved - quantity) }
    }

    /// The reserved items leave the store.
    static func handOver(_ sku: String, _ quantity: Int, at storeId: String, emitter: some EventEmitting) throws {
        try change(sku, at: storeId, emitter: emitter) { stock in
            stock.reserved = max(0, stock.reserved - quantity)
            stock.onHand = max(0, stock.onHand - quantity)
        }
    }

    private static func change(_ sku: String, at storeId: String, emitter: some EventEmitting,
                               _ body: (inout StockRecord) throws -> Void) throws {
        guard var stock = try level(sku, at: storeId, in: emitter.db) else {
            throw OmnibusError(.conflict, "store \(storeId) holds no \(sku)")
        }
        try body(&stock)
        try stock.update(emitter.db)
        try emitter.emit(OrdersEvent.StockChanged(stock.level))
    }
}
