/// A product as the catalog holds it: a name and the variants that can be bought.
public struct Product: Codable, Sendable, Equatable {
    /// Stable id, e.g. `shoe-aria`.
    public var productId: String
    public var name: String
    public var variants: [Variant]
    public init(productId: String, name: String, variants: [Variant]) {
        self.productId = productId
        self.name = name
        self.variants = variants
    }
}

/// One buyable variant of a product: its SKU, what distinguishes it (colour, size, …) and
/// its price. Prices are the orders service's: a channel never sends one.
public struct Variant: Codable, Sendable, Equatable {
    /// Unique across the catalog, e.g. `shoe-aria-red-38`.
    public var sku: String
    public var attributes: [String: String]
    public var price: Money
    public init(sku: String, attributes: [String: String], price: Money) {
        self.sku = sku
        self.attributes = attributes
        self.price = price
    }
}

/// A place that holds stock: a shop (click & collect) or a warehouse that ships.
public struct Store: Codable, Sendable, Equatable {
    public var storeId: String
    public var name: String
    /// True for a place that ships home deliveries (a warehouse or a shop that ships).
    public var shipsOnline: Bool
    public init(storeId: String, name: String, shipsOnline: Bool) {
        self.storeId = storeId
        self.name = name
        self.shipsOnline = shipsOnline
    }
}

/// Stock of one SKU at one store. `reserved` is held by placed orders not yet handed over.
public struct StockLevel: Codable, Sendable, Equatable {
    public var storeId: String
    public var sku: String
    public var onHand: Int
    public var reserved: Int
    /// What can still be sold: `onHand - reserved`.
    public var available: Int { onHand - reserved }
    public init(storeId: String, sku: String, onHand: Int, reserved: Int) {
        self.storeId = storeId
        self.sku = sku
        self.onHand = onHand
        self.reserved = reserved
    }
}

/// The whole catalog: the seed file's format and the reply of `orders.catalog.get`.
public struct Catalog: Codable, Sendable, Equatable {
    public var products: [Product]
    public var stores: [Store]
    public var stock: [StockLevel]
    public init(products: [Product], stores: [Store], stock: [StockLevel]) {
        self.products = products
        self.stores = stores
        self.stock = stock
    }
}

/// The seed file (deploy/catalog.json): like ``Catalog`` but stock is given as on-hand
/// counts only.
public struct CatalogSeed: Codable, Sendable {
    public struct Stock: Codable, Sendable {
        public var storeId: String
        public var sku: String
        public var onHand: Int
        public init(storeId: String, sku: String, onHand: Int) {
            self.storeId = storeId
            self.sku = sku
            self.onHand = onHand
        }
    }
    public var products: [Product]
    public var stores: [Store]
    public var stock: [Stock]
    public init(products: [Product], stores: [Store], stock: [Stock]) {
        self.products = products
        self.stores = stores
        self.stock = stock
    }
}

/// `orders.catalog.get`: the whole catalog (products, stores and stock); `data` is `{}`.
public struct GetCatalog: QueryContract {
    public typealias Reply = Catalog
    public static let name = "orders.catalog.get"

    public init() {}
}

/// `orders.catalog.upsert_product`: creates or replaces a product and its variants.
public struct UpsertProduct: CommandContract {
    public typealias Reply = Product
    public static let name = "orders.catalog.upsert_product"

    public var product: Product
    public init(product: Product) { self.product = product }
}

/// `orders.store.upsert`: creates or renames a store.
public struct UpsertStore: CommandContract {
    public typealias Reply = Store
    public static let name = "orders.store.upsert"

    public var store: Store
    public init(store: Store) { self.store = store }
}

/// `orders.stock.set`: the on-hand count of a SKU at a store after a stock take or delivery.
public struct SetStock: CommandContract {
    public typealias Reply = StockLevel
    public static let name = "orders.stock.set"

    public var storeId: String
    public var sku: String
    public var onHand: Int
    public init(storeId: String, sku: String, onHand: Int) {
        self.storeId = storeId
        self.sku = sku
        self.onHand = onHand
    }
}
