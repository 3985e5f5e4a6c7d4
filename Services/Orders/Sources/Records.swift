import GRDB
import OmnibusContracts

/// A row of `product`.
struct ProductRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "product"
    var id: String
    var name: String
}

/// A row of `variant`: a SKU and its price.
struct VariantRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "variant"
    var sku: String
    var productId: String
    var attributes: [String: String]
    var priceMinor: Int64
    var currency: String
    var active: Bool

    var price: Money { Money(amountMinor: priceMinor, currency: currency) }
    var variant: Variant { Variant(sku: sku, attributes: attributes, price: price) }
}

/// A row of `store`.
struct StoreRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "store"
    var id: String
    var name: String
    var shipsOnline: Bool

    var store: Store { Store(storeId: id, name: name, shipsOnline: shipsOnline) }
}

/// A row of `stock`.
struct StockRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "stock"
    var storeId: String
    var sku: String
    var onHand: Int
    var reserved: Int

    var level: StockLevel { StockLevel(storeId: storeId, sku: sku, onHand: onHand, reserved: reserved) }
}

/// A row of `cart`: one per customer; `version` counts its changes.
struct CartRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "cart"
    var customerId: String
    var version: Int64
    var updatedAt: Int64
}

/// A row of `cartLine`.
struct CartLineRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "cartLine"
    var customerId: String
    var sku: String
    var quantity: Int
    var channel: String?
    var addedAt: Int64
}

/// A row of `purchaseOrder`.
struct OrderRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "purchaseOrder"
    var id: String
    var customerId: String?
    var status: OrderStatus
    var fulfilment: Fulfilment.Kind
    var storeId: String?
    /// Personal data; removed when the customer is erased.
    var address: ShippingAddress?
    var currency: String
    var totalMinor: Int64
    var channel: String?
    var replacesOrderId: String?
    var placedAt: Int64
    var updatedAt: Int64
    /// The coupon the order was priced with.
    var coupon: AppliedCoupon?
    /// The log position of its `order.placed` (nil for orders placed before it was recorded).
    var placedSequence: Int64? = nil
}

/// A row of `orderLine`: the price is the one paid, copied at checkout.
struct OrderLineRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "orderLine"
    var orderId: String
    var sku: String
    var quantity: Int
    var unitPriceMinor: Int64
    var returnedQuantity: Int
}

/// A row of `orderReturn`.
struct ReturnRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "orderReturn"
    var id: String
    var orderId: String
    var sku: String
    var quantity: Int
    var reason: String
    var resolution: ReturnResolution
    var refundMinor: Int64
    var replacementOrderId: String?
    var channel: String?
    var recordedAt: Int64
    var goodwill: Bool?
}
