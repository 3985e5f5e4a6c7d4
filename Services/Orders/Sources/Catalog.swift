import GRDB
import OmnibusContracts
import OmnibusService

/// Products, variants, stores and stock: the authority on prices.
enum Catalog {
    static func register(in registry: inout CommandRegistry) {
        registry.register(UpsertProduct.self) { input, context in
            try requireChannel(OrdersCommand.catalogChannels, context)
            return try upsert(input.product, emitter: context)
        }
        registry.register(UpsertStore.self) { input, context in
            try requireChannel(OrdersCommand.catalogChannels, context)
            return try upsert(input.store, emitter: context)
        }
        registry.register(SetStock.self) { input, context in
            try requireChannel(OrdersCommand.stockChannels, context)
            return try setStock(input, emitter: context)
        }
        registry.register(GetCatalog.self) { _, context in
            try catalog(in: context.db)
        }
    }

    /// Prices and stock are the orders service's: a customer-facing channel (app, web, …)
    /// cannot change them. The channel is what the request declares; authenticating it
    /// (CURVE keys per client) is not built yet.
    static func requireChannel(_ allowed: Set<String>, _ context: CommandContext) throws {
        guard let channel = context.channel, allowed.contains(channel) else {
            throw OmnibusError(.forbidden, "\(context.command) is taken from the \(allowed.sorted().joined(separator: " or ")) channel only, "
                               + "not from \(context.channel.map { "'\($0)'" } ?? "a request without a channel")")
        }
    }

    /// A buyable SKU with its product, for carts and orders.
    struct Item {
        var variant: VariantRecord
        var productName: String
    }

    /// The active variant `sku`, or `not_found`.
    static func item(_ sku: String, in db: Database) throws -> Item {
        guard let item = try anyItem(sku, in: db), item.variant.active else {
            throw OmnibusError(.notFound, "no product variant with SKU '\(InputCheck.excerpt(sku))'")
        }
        return item
    }

    /// A SKU's description even when it is no longer sold (for orders that bought it).
    static func anyItem(_ sku: String, in db: Database) throws -> Item? {
        // On every cart and order path: one cached statement instead of two generated queries.
        let statement = try db.raw("""
            SELECT variant.sku, variant.productId, variant.attributes, variant.priceMinor, variant.currency, variant.active,
                   product.name
            FROM variant JOIN product ON product.id = variant.productId
            WHERE variant.sku = ?
            """)
        // Columns by position, attributes through the memo: not GRDB's Codable decoding of
        // the record, which this hot path cannot afford.
        try statement.bind(1, sku)
        return try statement.one { row in
            Item(variant: VariantRecord(sku: row.text(0), productId: row.text(1), attributes: try VariantAttributes.decode(row.text(2)),
                                        priceMinor: row.int64(3), currency: row.text(4), active: row.int64(5) != 0),
                 productName: row.text(6))
        }
    }

    /// Creates or replaces a product. Variants it no longer lists stop being sold but stay
    /// known, for the orders that bought them.
    static func upsert(_ product: Product, emitter: some EventEmitting) throws -> Product {
        try Validation.check(product)
        let db = emitter.db
        let skus = product.variants.map(\.sku)
        let taken = try SQLRequest<String>(literal: "SELECT sku FROM variant WHERE sku IN \(skus) AND productId <> \(product.productId)").fetchAll(db)
        if let sku = taken.first {
            throw OmnibusError(.conflict, "SKU '\(sku)' belongs to another product")
        }
        try ProductRecord(id: product.productId, name: product.name).save(db)
        try db.execute(literal: "UPDATE variant SET active = 0 WHERE productId = \(product.productId) AND sku NOT IN \(skus)")
        for variant in product.variants {
            try VariantRecord(sku: variant.sku, productId: product.productId, attributes: variant.attributes,
                              priceMinor: variant.price.amountMinor, currency: variant.price.currency, active: true).save(db)
        }
        try emitter.emit(OrdersEvent.ProductUpserted(product))
        return product
    }

    static func upsert(_ store: Store, emitter: some EventEmitting) throws -> Store {
        try InputCheck.identifier(store.storeId, "storeId")
        try InputCheck.text(store.name, "name")
        try StoreRecord(id: store.storeId, name: store.name, shipsOnline: store.shipsOnline).save(emitter.db)
        try emitter.emit(OrdersEvent.StoreUpserted(store))
        return store
    }

    static func setStock(_ input: SetStock, emitter: some EventEmitting) throws -> StockLevel {
        let db = emitter.db
        guard (0...1_000_000).contains(input.onHand) else {
            throw OmnibusError(.invalidArgument, "onHand must be 0 to 1000000; got \(input.onHand)")
        }
        guard try StoreRecord.exists(db, key: input.storeId) else {
            throw OmnibusError(.notFound, "no store '\(InputCheck.excerpt(input.storeId))'")
        }
        _ = try item(input.sku, in: db)
        let reserved = try Stock.level(input.sku, at: input.storeId, in: db)?.reserved ?? 0
        guard input.onHand >= reserved else {
            throw OmnibusError(.conflict, "\(reserved) of \(input.sku) at \(input.storeId) are reserved by placed orders; onHand cannot go below that")
        }
        let stock = StockRecord(storeId: input.storeId, sku: input.sku, onHand: input.onHand, reserved: reserved)
        try stock.save(db)
        try emitter.emit(OrdersEvent.StockChanged(stock.level))
        return stock.level
    }

    static func catalog(in db: Database) throws -> OmnibusContracts.Catalog {
        let variants = Dictionary(grouping: try VariantRecord.filter(Column("active") == true).order(Column("sku")).fetchAll(db), by: \.productId)
        let products = try ProductRecord.order(Column("id")).fetchAll(db).map { product in
            Product(productId: product.id, name: product.name, variants: (variants[product.id] ?? []).map(\.variant))
        }
        return OmnibusContracts.Catalog(
            products: products,
            stores: try StoreRecord.order(Column("id")).fetchAll(db).map(\.store),
            stock: try StockRecord.order(Column("storeId"), Column("sku")).fetchAll(db).map(\.level))
    }

    /// Loads `seed` into an empty catalog (first start); does nothing once products exist.
    /// Returns whether it loaded.
    static func loadSeed(_ seed: CatalogSeed, emitter: some EventEmitting) throws -> Bool {
        guard try ProductRecord.fetchCount(emitter.db) == 0 else { return false }
        for store in seed.stores { _ = try upsert(store, emitter: emitter) }
        for product in seed.products { _ = try upsert(product, emitter: emitter) }
        for stock in seed.stock {
            _ = try setStock(SetStock(storeId: stock.storeId, sku: stock.sku, onHand: stock.onHand), emitter: emitter)
        }
        return true
    }
}
