import GRDB
import OmnibusContracts
import OmnibusService

/// The customer's one cart: reading it, versioning it, announcing its changes.
enum Carts {
    /// The cart of `customerId` (already mapped through merges); an empty version-0 cart
    /// when there is none yet.
    static func view(of customerId: String, in db: Database) throws -> CartView {
        try read(customerId, in: db).cart
    }

    /// The cart of `customerId` and when each of its lines was added (the lines' order), so
    /// an edit can know the cart it makes without reading it again.
    static func read(_ customerId: String, in db: Database) throws -> (cart: CartView, addedAt: [Int64]) {
        // The hottest reads of the service (every cart command and query): through RawStatement,
        // columns by position.
        let versions = try db.raw("SELECT version FROM cart WHERE customerId = ?")
        try versions.bind(1, customerId)
        let version = try versions.one { $0.int64(0) } ?? 0
        let rows = try db.raw("""
            SELECT cartLine.sku, cartLine.quantity, cartLine.channel, variant.productId, variant.attributes,
                   variant.priceMinor, variant.currency, product.name, cartLine.addedAt
            FROM cartLine JOIN variant ON variant.sku = cartLine.sku JOIN product ON product.id = variant.productId
            WHERE cartLine.customerId = ? ORDER BY cartLine.addedAt, cartLine.sku
            """)
        try rows.bind(1, customerId)
        let lines = try rows.all { row in
            (CartLine(sku: row.text(0), productId: row.text(3), name: row.text(7), attributes: try VariantAttributes.decode(row.text(4)),
                      quantity: row.int(1), unitPrice: Money(amountMinor: row.int64(5), currency: row.text(6)), channel: row.optionalText(2)),
             row.int64(8))
        }
        return (cart(customerId, version: version, lines: lines.map(\.0)), lines.map(\.1))
    }

    /// Where a line added at `addedAt` goes among `lines` added at `linesAddedAt`: the view's
    /// order is (addedAt, sku), SKUs compared as SQLite does (BINARY: their UTF-8 bytes).
    static func position(of sku: String, addedAt: Int64, among lines: [CartLine], addedAt linesAddedAt: [Int64]) -> Int {
        lines.indices.first { index in
            linesAddedAt[index] != addedAt ? linesAddedAt[index] > addedAt : sku.utf8.lexicographicallyPrecedes(lines[index].sku.utf8)
        } ?? lines.count
    }

    /// The cart view of `lines`, with their total.
    static func cart(_ customerId: String, version: Int64, lines: [CartLine]) -> CartView {
        CartView(customerId: customerId, version: version, lines: lines, total: total(of: lines.map { ($0.unitPrice, $0.quantity) }))
    }

    /// The sum of `(unit price, quantity)` pairs; nil when empty or when the lines are in
    /// more than one currency (only a merge of two customers' carts can do that).
    static func total(of lines: [(Money, Int)]) -> Money? {
        guard let first = lines.first, lines.allSatisfy({ $0.0.currency == first.0.currency }) else { return nil }
        return Money(amountMinor: lines.reduce(0) { $0 + $1.0.amountMinor * Int64($1.1) }, currency: first.0.currency)
    }

    /// Refuses a stale edit: `conflict`, with the current cart in the error's details.
    static func check(expectedVersion: Int64?, of cart: CartView) throws {
        guard let expectedVersion, expectedVersion != cart.version else { return }
        throw OmnibusError(.conflict, "the cart is at version \(cart.version), not \(expectedVersion); it changed meanwhile",
                           details: try JSONValue(encoding: cart))
    }

    /// Creates an empty cart (version 0) for `customerId` if it has none.
    static func ensure(_ customerId: String, in db: Database) throws {
        let insert = try db.raw("INSERT OR IGNORE INTO cart (customerId, version, updatedAt) VALUES (?, 0, ?)")
        try insert.bind(1, customerId)
        try insert.bind(2, Timestamp.now().millisecondsSince1970)
        try insert.execute()
    }

    /// Records the cart's new version and the log position of the event announcing it (the
    /// snapshot's `asOf`).
    static func announced(_ cart: CartView, at sequence: Int64, in db: Database) throws {
        let update = try db.raw("UPDATE cart SET version = ?, updatedAt = ?, eventSequence = ? WHERE customerId = ?")
        try update.bind(1, cart.version)
        try update.bind(2, Timestamp.now().millisecondsSince1970)
        try update.bind(3, sequence)
        try update.bind(4, cart.customerId)
        try update.execute()
    }

    /// Sets the quantity of a line the cart has.
    static func setQuantity(_ quantity: Int, of sku: String, for customerId: String, in db: Database) throws {
        let update = try db.raw("UPDATE cartLine SET quantity = ? WHERE customerId = ? AND sku = ?")
        try update.bind(1, quantity)
        try update.bind(2, customerId)
        try update.bind(3, sku)
        try update.execute()
    }

    /// Moves the cart to its next version (creating it if needed), announces the change with
    /// the whole cart, returns the cart.
    static func changed<Event: WrappingEvent<OrdersEvent.CartChanged>>(
        _ customerId: String, _ event: Event.Type, sku: String? = nil, mergedId: String? = nil, orderId: String? = nil,
        emitter: some EventEmitting
    ) throws -> CartView {
        try ensure(customerId, in: emitter.db)
        return try changed(try view(of: customerId, in: emitter.db), to: nil, event, sku: sku, mergedId: mergedId, orderId: orderId,
                           emitter: emitter)
    }

    /// Moves `cart` — read in this transaction, its row existing — to its next version with
    /// `lines` (nil: as it is) and announces it. Cart commands pass the lines they made, so
    /// the hottest command of the service reads its cart once.
    static func changed<Event: WrappingEvent<OrdersEvent.CartChanged>>(
        _ cart: CartView, to lines: [CartLine]?, _ event: Event.Type, sku: String? = nil, mergedId: String? = nil,
        orderId: String? = nil, emitter: some EventEmitting
    ) throws -> CartView {
        let next = Self.cart(cart.customerId, version: cart.version + 1, lines: lines ?? cart.lines)
        let quantity = sku.map { sku in next.lines.first { $0.sku == sku }?.quantity ?? 0 }
        let sequence = try emitter.emit(Event(OrdersEvent.CartChanged(
            customerId: next.customerId, version: next.version, sku: sku, quantity: quantity, mergedId: mergedId, orderId: orderId,
            items: next.lines.map(\.item))), customerId: next.customerId)
        try announced(next, at: sequence, in: emitter.db)
        return next
    }

    /// Puts a compensated checkout's items back in the customer's cart (up to the line
    /// maximum), one `cart.item_added` per line.
    static func restore(_ plan: CheckoutPlan, emitter: some EventEmitting) throws {
        let db = emitter.db
        try ensure(plan.customerId, in: db)
        for item in plan.items {
            try db.execute(sql: """
                INSERT INTO cartLine (customerId, sku, quantity, channel, addedAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (customerId, sku) DO UPDATE SET quantity = MIN(?, quantity + excluded.quantity)
                """, arguments: [plan.customerId, item.sku, item.quantity, plan.channel, Timestamp.now().millisecondsSince1970,
                                 OrdersCommand.maxLineQuantity])
            _ = try changed(plan.customerId, OrdersEvent.CartItemAdded.self, sku: item.sku, emitter: emitter)
        }
    }
}

extension CartLine {
    /// The line as events carry it.
    var item: OrdersEvent.CartItem {
        OrdersEvent.CartItem(sku: sku, quantity: quantity, unitPrice: unitPrice, channel: channel)
    }
}
