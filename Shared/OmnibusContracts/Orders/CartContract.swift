/// The customer's one active cart, the same from every channel.
public struct CartView: Codable, Sendable, Equatable {
    public var customerId: String
    /// Increases with every change; send it back as `expectedVersion` to refuse stale edits.
    public var version: Int64
    public var lines: [CartLine]
    /// Sum of the lines; nil for an empty cart.
    public var total: Money?
    public init(customerId: String, version: Int64, lines: [CartLine], total: Money?) {
        self.customerId = customerId
        self.version = version
        self.lines = lines
        self.total = total
    }
}

/// One SKU in a cart, with the channel that first put it there.
public struct CartLine: Codable, Sendable, Equatable {
    public var sku: String
    public var productId: String
    public var name: String
    public var attributes: [String: String]
    public var quantity: Int
    public var unitPrice: Money
    /// The channel of the request that added the line (`app`, `web`, `store`, …).
    public var channel: String?
    public init(sku: String, productId: String, name: String, attributes: [String: String],
                quantity: Int, unitPrice: Money, channel: String?) {
        self.sku = sku
        self.productId = productId
        self.name = name
        self.attributes = attributes
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.channel = channel
    }
}

/// `orders.cart.get` (a query).
public struct GetCart: QueryContract {
    public typealias Reply = CartView
    public static let name = "orders.cart.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// `orders.cart.add`: adds `quantity` of `sku` (to the line already there, if any).
/// `currency`, when given, must be the price's currency. `expectedVersion`, when given,
/// must be the cart's current version, else the reply is `conflict` with the current cart
/// in `error.details`.
public struct AddToCart: CommandContract {
    public typealias Reply = CartView
    public static let name = "orders.cart.add"

    public var customerId: String
    public var sku: String
    public var quantity: Int
    public var currency: String?
    public var expectedVersion: Int64?
    public init(customerId: String, sku: String, quantity: Int, currency: String? = nil, expectedVersion: Int64? = nil) {
        self.customerId = customerId
        self.sku = sku
        self.quantity = quantity
        self.currency = currency
        self.expectedVersion = expectedVersion
    }
}

/// `orders.cart.set_quantity`: sets a line's quantity; 0 removes the line.
public struct SetCartQuantity: CommandContract {
    public typealias Reply = CartView
    public static let name = "orders.cart.set_quantity"

    public var customerId: String
    public var sku: String
    public var quantity: Int
    public var expectedVersion: Int64?
    public init(customerId: String, sku: String, quantity: Int, expectedVersion: Int64? = nil) {
        self.customerId = customerId
        self.sku = sku
        self.quantity = quantity
        self.expectedVersion = expectedVersion
    }
}

/// `orders.cart.remove`: removes a line.
public struct RemoveFromCart: CommandContract {
    public typealias Reply = CartView
    public static let name = "orders.cart.remove"

    public var customerId: String
    public var sku: String
    public var expectedVersion: Int64?
    public init(customerId: String, sku: String, expectedVersion: Int64? = nil) {
        self.customerId = customerId
        self.sku = sku
        self.expectedVersion = expectedVersion
    }
}
