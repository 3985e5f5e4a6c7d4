/// The orders service's events (source `orders`). They carry ids, SKUs, quantities and
/// prices, never personal data: a shipping address stays in the orders database.
public enum OrdersEvent {
    public static let source = "orders"

    public static let productUpserted = "catalog.product_upserted"
    public static let storeUpserted = "catalog.store_upserted"
    public static let stockChanged = "stock.changed"

    public static let cartItemAdded = "cart.item_added"
    public static let cartQuantityChanged = "cart.item_quantity_changed"
    public static let cartItemRemoved = "cart.item_removed"
    public static let cartMerged = "cart.merged"
    public static let cartCheckedOut = "cart.checked_out"

    public static let orderPlaced = "order.placed"
    public static let orderReadyForPickup = "order.ready_for_pickup"
    public static let orderCollected = "order.collected"
    public static let orderShipped = "order.shipped"
    public static let orderDelivered = "order.delivered"
    public static let orderCancelled = "order.cancelled"
    public static let orderReturned = "order.returned"

    public static let customerDataErased = "customer.data_erased"

    /// Every cart event type; their payload is ``CartChanged``.
    public static let cartTypes = [cartItemAdded, cartQuantityChanged, cartItemRemoved, cartMerged, cartCheckedOut]

    /// The status-change event type for an order entering `status` (all but `placed`).
    public static func statusType(_ status: OrderStatus) -> String {
        switch status {
        case .placed: orderPlaced
        case .readyForPickup: orderReadyForPickup
        case .collected: orderCollected
        case .shipped: orderShipped
        case .delivered: orderDelivered
        case .cancelled: orderCancelled
        }
    }

    /// Every type the service emits.
    public static let allTypes = [productUpserted, storeUpserted, stockChanged] + cartTypes
        + OrderStatus.allCases.map(statusType) + [orderReturned, customerDataErased]

    /// A cart event: what changed (`sku`, `quantity` of that line afterwards) and the whole
    /// cart after the change, so a consumer never has to replay history to show a cart.
    public struct CartChanged: Codable, Sendable, Equatable {
        public var customerId: String
        public var version: Int64
        public var sku: String?
        public var quantity: Int?
        /// `cart.merged`: the customer whose cart was folded into this one.
        public var mergedId: String?
        /// `cart.checked_out`: the order the cart became.
        public var orderId: String?
        public var items: [CartItem]
        public init(customerId: String, version: Int64, sku: String? = nil, quantity: Int? = nil,
                    mergedId: String? = nil, orderId: String? = nil, items: [CartItem]) {
            self.customerId = customerId
            self.version = version
            self.sku = sku
            self.quantity = quantity
            self.mergedId = mergedId
            self.orderId = orderId
            self.items = items
        }
    }

    /// A cart line as events carry it.
    public struct CartItem: Codable, Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        public var unitPrice: Money
        public var channel: String?
        public init(sku: String, quantity: Int, unitPrice: Money, channel: String?) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.channel = channel
        }
    }

    /// `order.placed`.
    public struct OrderPlaced: Codable, Sendable, Equatable {
        public var orderId: String
        public var customerId: String
        public var fulfilment: Fulfilment.Kind
        public var storeId: String?
        public var items: [CartItem]
        public var total: Money
        public var replacesOrderId: String?
        public init(orderId: String, customerId: String, fulfilment: Fulfilment.Kind, storeId: String?, items: [CartItem],
                    total: Money, replacesOrderId: String?) {
            self.orderId = orderId
            self.customerId = customerId
            self.fulfilment = fulfilment
            self.storeId = storeId
            self.items = items
            self.total = total
            self.replacesOrderId = replacesOrderId
        }
    }

    /// `order.ready_for_pickup`, `order.collected`, `order.shipped`, `order.delivered`,
    /// `order.cancelled`.
    public struct OrderStatusChanged: Codable, Sendable, Equatable {
        public var orderId: String
        public var customerId: String?
        public var status: OrderStatus
        public var fulfilment: Fulfilment.Kind
        public var storeId: String?
        /// Why (cancellations).
        public var reason: String?
        public init(orderId: String, customerId: String?, status: OrderStatus, fulfilment: Fulfilment.Kind,
                    storeId: String?, reason: String?) {
            self.orderId = orderId
            self.customerId = customerId
            self.status = status
            self.fulfilment = fulfilment
            self.storeId = storeId
            self.reason = reason
        }
    }

    /// `order.returned`.
    public struct OrderReturned: Codable, Sendable, Equatable {
        public var orderId: String
        public var customerId: String?
        public var returnId: String
        public var sku: String
        public var quantity: Int
        public var reason: String
        public var resolution: ReturnResolution
        public var refund: Money
        public var replacementOrderId: String?
        public init(orderId: String, customerId: String?, returnId: String, sku: String, quantity: Int, reason: String,
                    resolution: ReturnResolution, refund: Money, replacementOrderId: String?) {
            self.orderId = orderId
            self.customerId = customerId
            self.returnId = returnId
            self.sku = sku
            self.quantity = quantity
            self.reason = reason
            self.resolution = resolution
            self.refund = refund
            self.replacementOrderId = replacementOrderId
        }
    }

    /// `stock.changed`: a SKU's stock at a store after a change.
    public typealias StockChanged = StockLevel

    /// `customer.data_erased`: orders honoured `identity.customer.erased` for these ids
    /// (carts deleted, addresses removed, orders kept without a customer).
    public struct CustomerDataErased: Codable, Sendable, Equatable {
        public var erasedIds: [String]
        public var ordersAnonymised: Int
        public init(erasedIds: [String], ordersAnonymised: Int) {
            self.erasedIds = erasedIds
            self.ordersAnonymised = ordersAnonymised
        }
    }
}
