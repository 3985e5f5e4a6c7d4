/// The orders service's commands. Replies of commands that change state never carry a
/// shipping address (they are stored for idempotent retries); queries do.
public enum OrdersCommand {
    /// ``UpsertProduct`` → ``Product``.
    public static let upsertProduct = "orders.catalog.upsert_product"
    /// ``UpsertStore`` → ``Store``.
    public static let upsertStore = "orders.store.upsert"
    /// ``SetStock`` → ``StockLevel``.
    public static let setStock = "orders.stock.set"
    /// ``Empty`` → ``Catalog`` (a query).
    public static let getCatalog = "orders.catalog.get"
    /// ``GetCart`` → ``CartView`` (a query).
    public static let getCart = "orders.cart.get"
    /// ``AddToCart`` → ``CartView``.
    public static let addToCart = "orders.cart.add"
    /// ``SetCartQuantity`` → ``CartView``.
    public static let setCartQuantity = "orders.cart.set_quantity"
    /// ``RemoveFromCart`` → ``CartView``.
    public static let removeFromCart = "orders.cart.remove"
    /// ``Checkout`` → ``OrderView``.
    public static let checkout = "orders.checkout"
    /// ``GetOrder`` → ``OrderView`` (a query).
    public static let getOrder = "orders.order.get"
    /// ``GetPurchaseHistory`` → ``PurchaseHistory`` (a query).
    public static let history = "orders.order.history"
    /// ``AdvanceOrder`` → ``OrderView``.
    public static let advance = "orders.order.advance"
    /// ``CancelOrder`` → ``OrderView``.
    public static let cancel = "orders.order.cancel"
    /// ``ReturnItems`` → ``ReturnOutcome``.
    public static let returnItems = "orders.order.return"
    /// ``ListPickups`` → ``PickupList`` (a query).
    public static let pickups = "orders.pickups.list"

    /// The channels that may change products and stores (prices never come from a
    /// customer-facing channel).
    public static let catalogChannels: Set<String> = ["backoffice"]
    /// The channels that may set stock: the back office, and a store after a stock take.
    public static let stockChannels: Set<String> = ["backoffice", "store"]

    /// The most of one SKU a cart line or order line may hold.
    public static let maxLineQuantity = 99
    /// The most lines one cart may hold.
    public static let maxCartLines = 100
}
