/// The orders service's snapshot (docs/ORDERS.md, "Snapshot"): one `customer` record per
/// customer with a cart or an order, keyed by the customer id, in id order — the cart and
/// orders a ``CustomerView`` shows, as the orders events would have folded them. For a
/// front end that was away longer than orders keeps its events.
public enum OrdersSnapshot {
    /// The snapshot format orders serves.
    public static let version = 1
    /// The record kind: its `data` is a ``CustomerState``.
    public static let customerKind = "customer"

    /// A customer's cart and orders when the snapshot is taken. Positions (`asOf`,
    /// `placedSequence`) are those of the events they come from; 0 for what was written
    /// before orders recorded them.
    public struct CustomerState: Codable, Sendable, Equatable {
        /// The customer the orders service holds these under (a merge's survivor).
        public var customerId: String
        /// Nil when the customer never had one.
        public var cart: CustomerView.Cart?
        /// Newest first, as in ``CustomerView/orders``; anonymised orders (an erased
        /// customer's) are not listed.
        public var orders: [CustomerView.Order]

        public init(customerId: String, cart: CustomerView.Cart?, orders: [CustomerView.Order]) {
            self.customerId = customerId
            self.cart = cart
            self.orders = orders
        }
    }
}
