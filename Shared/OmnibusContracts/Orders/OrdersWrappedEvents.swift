/// The orders events whose `data` is another contract value as it is (see ``WrappingEvent``):
/// the catalog's values, the whole cart, an order's new status.
extension OrdersEvent {
    /// `catalog.product_upserted`: a product was created or replaced (the whole product).
    public struct ProductUpserted: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "catalog.product_upserted"
        public var body: Product
        public init(_ body: Product) { self.body = body }
    }

    /// `catalog.store_upserted`: a store was created or changed.
    public struct StoreUpserted: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "catalog.store_upserted"
        public var body: Store
        public init(_ body: Store) { self.body = body }
    }

    /// `stock.changed`: a SKU's stock at a store after a change.
    public struct StockChanged: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "stock.changed"
        public var body: StockLevel
        public init(_ body: StockLevel) { self.body = body }
    }

    /// `cart.item_added`: a line was added.
    public struct CartItemAdded: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "cart.item_added"
        public var body: CartChanged
        public init(_ body: CartChanged) { self.body = body }
    }

    /// `cart.item_quantity_changed`: a line's quantity changed.
    public struct CartQuantityChanged: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "cart.item_quantity_changed"
        public var body: CartChanged
        public init(_ body: CartChanged) { self.body = body }
    }

    /// `cart.item_removed`: a line was removed.
    public struct CartItemRemoved: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "cart.item_removed"
        public var body: CartChanged
        public init(_ body: CartChanged) { self.body = body }
    }

    /// `cart.merged`: a merged-away customer's cart was folded into this one.
    public struct CartMerged: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "cart.merged"
        public var body: CartChanged
        public init(_ body: CartChanged) { self.body = body }
    }

    /// `cart.checked_out`: the cart became an order and is empty again.
    public struct CartCheckedOut: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "cart.checked_out"
        public var body: CartChanged
        public init(_ body: CartChanged) { self.body = body }
    }

    /// `order.ready_for_pickup`: the store has the order ready.
    public struct OrderReadyForPickup: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.ready_for_pickup"
        public var body: OrderStatusChanged
        public init(_ body: OrderStatusChanged) { self.body = body }
    }

    /// `order.collected`: the customer collected it.
    public struct OrderCollected: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.collected"
        public var body: OrderStatusChanged
        public init(_ body: OrderStatusChanged) { self.body = body }
    }

    /// `order.shipped`: handed to the carrier.
    public struct OrderShipped: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.shipped"
        public var body: OrderStatusChanged
        public init(_ body: OrderStatusChanged) { self.body = body }
    }

    /// `order.delivered`: delivered.
    public struct OrderDelivered: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.delivered"
        public var body: OrderStatusChanged
        public init(_ body: OrderStatusChanged) { self.body = body }
    }

    /// `order.cancelled`: cancelled; its stock is released.
    public struct OrderCancelled: WrappingEvent, Equatable {
        public static let source = OrdersEvent.source
        public static let type = "order.cancelled"
        public var body: OrderStatusChanged
        public init(_ body: OrderStatusChanged) { self.body = body }
    }
}
