/// The orders service's events (source `orders`). They carry ids, SKUs, quantities and
/// prices, never personal data: a shipping address stays in the orders database.
public enum OrdersEvent {
    public static let source = "orders"

    /// The cart events; each carries the whole cart after the change (``CartChanged``).
    public static let cartEvents: [any WrappingEvent<CartChanged>.Type] = [
        CartItemAdded.self, CartQuantityChanged.self, CartItemRemoved.self, CartMerged.self, CartCheckedOut.self,
    ]

    /// The events of an order entering a status other than `placed` (``OrderStatusChanged``).
    public static let statusEvents: [any WrappingEvent<OrderStatusChanged>.Type] = [
        OrderReadyForPickup.self, OrderCollected.self, OrderShipped.self, OrderDelivered.self, OrderCancelled.self,
    ]

    /// The event of an order entering `change.status`; nil for `placed`, which is
    /// ``OrderPlaced`` with the order's lines.
    public static func statusEvent(_ change: OrderStatusChanged) -> (any WrappingEvent<OrderStatusChanged>)? {
        switch change.status {
        case .placed: nil
        case .readyForPickup: OrderReadyForPickup(change)
        case .collected: OrderCollected(change)
        case .shipped: OrderShipped(change)
        case .delivered: OrderDelivered(change)
        case .cancelled: OrderCancelled(change)
        }
    }

    /// Every type the service emits.
    public static let all: [any EventContract.Type] =
        [ProductUpserted.self, StoreUpserted.self, StockChanged.self] + cartEvents
        + [OrderPlaced.self] + statusEvents + [OrderReturned.self, CustomerDataErased.self]

    /// The body of every cart event (``cartEvents``): what changed (`sku`, `quantity` of that
    /// line afterwards) and the whole cart after the change, so a consumer never has to
    /// replay history to show a cart.
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
    public struct OrderPlaced: EventContract, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.placed"

        public var orderId: String
        public var customerId: String
        public var fulfilment: Fulfilment.Kind
        public var storeId: String?
        public var items: [CartItem]
        /// After the coupon's discount, if one was applied.
        public var total: Money
        public var replacesOrderId: String?
        /// The coupon the order was priced with.
        public var coupon: AppliedCoupon?
        public init(orderId: String, customerId: String, fulfilment: Fulfilment.Kind, storeId: String?, items: [CartItem],
                    total: Money, replacesOrderId: String?, coupon: AppliedCoupon? = nil) {
            self.orderId = orderId
            self.customerId = customerId
            self.fulfilment = fulfilment
            self.storeId = storeId
            self.items = items
            self.total = total
            self.replacesOrderId = replacesOrderId
            self.coupon = coupon
        }
    }

    /// The body of `order.ready_for_pickup`, `order.collected`, `order.shipped`,
    /// `order.delivered` and `order.cancelled` (``statusEvents``).
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
    public struct OrderReturned: EventContract, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.returned"

        public var orderId: String
        public var customerId: String?
        public var returnId: String
        public var sku: String
        public var quantity: Int
        public var reason: String
        public var resolution: ReturnResolution
        public var refund: Money
        public var replacementOrderId: String?
        /// Accepted as a goodwill gesture (``ReturnItems/goodwill``).
        public var goodwill: Bool?
        public init(orderId: String, customerId: String?, returnId: String, sku: String, quantity: Int, reason: String,
                    resolution: ReturnResolution, refund: Money, replacementOrderId: String?, goodwill: Bool? = nil) {
            self.orderId = orderId
            self.customerId = customerId
            self.returnId = returnId
            self.sku = sku
            self.quantity = quantity
            self.reason = reason
            self.resolution = resolution
            self.refund = refund
            self.replacementOrderId = replacementOrderId
            self.goodwill = goodwill
        }
    }

    /// `customer.data_erased`: orders honoured `identity.customer.erased` for these ids
    /// (carts deleted, addresses removed, orders kept without a customer).
    public struct CustomerDataErased: EventContract, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "customer.data_erased"

        public var erasedIds: [String]
        public var ordersAnonymised: Int
        public init(erasedIds: [String], ordersAnonymised: Int) {
            self.erasedIds = erasedIds
            self.ordersAnonymised = ordersAnonymised
        }
    }
}
