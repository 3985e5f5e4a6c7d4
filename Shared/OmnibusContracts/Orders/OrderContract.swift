/// How an order reaches the customer.
public struct Fulfilment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Home delivery from a store that ships online.
        case ship
        /// Click & collect at `storeId`.
        case pickup
    }
    public var kind: Kind
    /// The pickup store (pickup), or the store that ships (set by the service for ship).
    public var storeId: String?
    /// Where to ship (ship only). Personal data: never in events or stored replies.
    public var address: ShippingAddress?
    public init(kind: Kind, storeId: String? = nil, address: ShippingAddress? = nil) {
        self.kind = kind
        self.storeId = storeId
        self.address = address
    }

    public static func pickup(at storeId: String) -> Fulfilment { Fulfilment(kind: .pickup, storeId: storeId) }
    public static func ship(to address: ShippingAddress) -> Fulfilment { Fulfilment(kind: .ship, address: address) }
}

/// A postal address. Personal data: erased with the customer.
public struct ShippingAddress: Codable, Sendable, Equatable {
    public var name: String
    public var lines: [String]
    public var postalCode: String
    public var city: String
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    public var country: String
    public init(name: String, lines: [String], postalCode: String, city: String, country: String) {
        self.name = name
        self.lines = lines
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
}

/// Where an order stands. Pickup: placed → ready_for_pickup → collected. Ship: placed →
/// shipped → delivered. Placed or ready orders can be cancelled.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case placed
    case readyForPickup = "ready_for_pickup"
    case collected
    case shipped
    case delivered
    case cancelled
}

/// An order as every channel sees it.
public struct OrderView: Codable, Sendable, Equatable {
    public var orderId: String
    /// Nil once the customer was erased (the order is kept anonymously for the accounts).
    public var customerId: String?
    public var status: OrderStatus
    public var fulfilment: Fulfilment
    public var lines: [OrderLine]
    public var total: Money
    /// The channel the order was placed from.
    public var channel: String?
    public var placedAt: Timestamp
    public var updatedAt: Timestamp
    /// Set on a replacement order: the order whose return it replaces.
    public var replacesOrderId: String?
    public var returns: [ReturnView]
    /// The coupon the order was priced with (redeemed at the coupons service); `total` is
    /// after its discount.
    public var coupon: AppliedCoupon?
    public init(orderId: String, customerId: String?, status: OrderStatus, fulfilment: Fulfilment, lines: [OrderLine],
                total: Money, channel: String?, placedAt: Timestamp, updatedAt: Timestamp, replacesOrderId: String?,
                returns: [ReturnView], coupon: AppliedCoupon? = nil) {
        self.orderId = orderId
        self.customerId = customerId
        self.status = status
        self.fulfilment = fulfilment
        self.lines = lines
        self.total = total
        self.channel = channel
        self.placedAt = placedAt
        self.updatedAt = updatedAt
        self.replacesOrderId = replacesOrderId
        self.returns = returns
        self.coupon = coupon
    }
}

/// A coupon applied to an order: its code, the redemption at the coupons service, and what
/// it took off.
public struct AppliedCoupon: Codable, Sendable, Equatable {
    public var code: String
    public var redemptionId: String
    public var discount: Money
    public init(code: String, redemptionId: String, discount: Money) {
        self.code = code
        self.redemptionId = redemptionId
        self.discount = discount
    }
}

/// One SKU of an order at the price it was bought for.
public struct OrderLine: Codable, Sendable, Equatable {
    public var sku: String
    public var productId: String
    public var name: String
    public var attributes: [String: String]
    public var quantity: Int
    public var unitPrice: Money
    /// How many of this line came back in returns.
    public var returnedQuantity: Int
    public init(sku: String, productId: String, name: String, attributes: [String: String], quantity: Int,
                unitPrice: Money, returnedQuantity: Int) {
        self.sku = sku
        self.productId = productId
        self.name = name
        self.attributes = attributes
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.returnedQuantity = returnedQuantity
    }
}

/// What a return gives the customer.
public enum ReturnResolution: String, Codable, Sendable {
    case refund
    case replacement
}

/// A return recorded against an order.
public struct ReturnView: Codable, Sendable, Equatable {
    public var returnId: String
    public var sku: String
    public var quantity: Int
    public var reason: String
    public var resolution: ReturnResolution
    /// The amount refunded (refund), zero for a replacement.
    public var refund: Money
    /// The new order that sends the replacement (replacement).
    public var replacementOrderId: String?
    /// The channel that took the return (often `call_center`).
    public var channel: String?
    public var recordedAt: Timestamp
    /// Accepted as a goodwill gesture.
    public var goodwill: Bool?
    public init(returnId: String, sku: String, quantity: Int, reason: String, resolution: ReturnResolution, refund: Money,
                replacementOrderId: String?, channel: String?, recordedAt: Timestamp, goodwill: Bool? = nil) {
        self.returnId = returnId
        self.sku = sku
        self.quantity = quantity
        self.reason = reason
        self.resolution = resolution
        self.refund = refund
        self.replacementOrderId = replacementOrderId
        self.channel = channel
        self.recordedAt = recordedAt
        self.goodwill = goodwill
    }
}

/// `orders.checkout`: turns the customer's cart into an order. `expectedVersion`, when
/// given, must be the cart's version (what the customer saw is what they buy).
public struct Checkout: CommandContract {
    public typealias Reply = OrderView
    public static let name = "orders.checkout"

    public var customerId: String
    public var fulfilment: Fulfilment
    public var expectedVersion: Int64?
    public var currency: String?
    /// A coupon to apply: the checkout reserves it at coupons, prices the order with its
    /// discount and redeems it once the order is placed (docs/ORDERS.md, "Checkout with a coupon").
    public var couponCode: String?
    public init(customerId: String, fulfilment: Fulfilment, expectedVersion: Int64? = nil, currency: String? = nil,
                couponCode: String? = nil) {
        self.customerId = customerId
        self.fulfilment = fulfilment
        self.expectedVersion = expectedVersion
        self.currency = currency
        self.couponCode = couponCode
    }
}

/// `orders.order.get` (a query).
public struct GetOrder: QueryContract {
    public typealias Reply = OrderView
    public static let name = "orders.order.get"

    public var orderId: String
    public init(orderId: String) { self.orderId = orderId }
}

/// `orders.order.history` (a query): the customer's orders, newest first.
public struct GetPurchaseHistory: QueryContract {
    public typealias Reply = PurchaseHistory
    public static let name = "orders.order.history"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// The reply of `orders.order.history`.
public struct PurchaseHistory: Codable, Sendable, Equatable {
    public var customerId: String
    public var orders: [OrderView]
    public init(customerId: String, orders: [OrderView]) {
        self.customerId = customerId
        self.orders = orders
    }
}

/// `orders.order.advance`: moves an order on (`ready_for_pickup`, `collected`, `shipped`,
/// `delivered`). A store acting on a pickup names itself in `storeId`; another store's
/// pickup is `forbidden`.
public struct AdvanceOrder: CommandContract {
    public typealias Reply = OrderView
    public static let name = "orders.order.advance"

    public var orderId: String
    public var to: OrderStatus
    public var storeId: String?
    public init(orderId: String, to: OrderStatus, storeId: String? = nil) {
        self.orderId = orderId
        self.to = to
        self.storeId = storeId
    }
}

/// `orders.order.cancel`: cancels a placed or ready order; its reserved stock is given back.
public struct CancelOrder: CommandContract {
    public typealias Reply = OrderView
    public static let name = "orders.order.cancel"

    public var orderId: String
    public var reason: String
    public init(orderId: String, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }
}

/// `orders.order.return`: some of a collected or delivered line comes back, refunded or
/// replaced by `replacementSku` (another variant of the same product; the same SKU when
/// left out), sent the same way as the original order.
public struct ReturnItems: CommandContract {
    public typealias Reply = ReturnOutcome
    public static let name = "orders.order.return"

    public var orderId: String
    public var sku: String
    public var quantity: Int
    public var reason: String
    public var resolution: ReturnResolution
    public var replacementSku: String?
    /// The return is accepted as a goodwill gesture, outside the return policy (a call-center
    /// decision); a coupons campaign may answer it with a coupon (`autoIssue: ["goodwill_return"]`).
    public var goodwill: Bool?
    public init(orderId: String, sku: String, quantity: Int, reason: String, resolution: ReturnResolution,
                replacementSku: String? = nil, goodwill: Bool? = nil) {
        self.orderId = orderId
        self.sku = sku
        self.quantity = quantity
        self.reason = reason
        self.resolution = resolution
        self.replacementSku = replacementSku
        self.goodwill = goodwill
    }
}

/// The reply of `orders.order.return`: the original order (with the return) and, for a
/// replacement, the new order.
public struct ReturnOutcome: Codable, Sendable, Equatable {
    public var order: OrderView
    public var replacement: OrderView?
    public init(order: OrderView, replacement: OrderView?) {
        self.order = order
        self.replacement = replacement
    }
}

/// `orders.pickups.list` (a query): a store's click & collect orders, oldest first,
/// by default those still to hand over (placed and ready).
public struct ListPickups: QueryContract {
    public typealias Reply = PickupList
    public static let name = "orders.pickups.list"

    public var storeId: String
    public var statuses: [OrderStatus]?
    public init(storeId: String, statuses: [OrderStatus]? = nil) {
        self.storeId = storeId
        self.statuses = statuses
    }
}

/// The reply of `orders.pickups.list`.
public struct PickupList: Codable, Sendable, Equatable {
    public var storeId: String
    public var orders: [OrderView]
    public init(storeId: String, orders: [OrderView]) {
        self.storeId = storeId
        self.orders = orders
    }
}
