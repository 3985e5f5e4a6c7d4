/// The orders service's commands are the ``CommandContract`` types of its contract; this
/// holds their shared rules and limits. Replies of commands that change state never carry a
/// shipping address (they are stored for idempotent retries); queries do.
public enum OrdersCommand {
    /// Every command orders takes.
    public static let all: [any CommandContract.Type] = [
        GetCatalog.self, UpsertProduct.self, UpsertStore.self, SetStock.self,
        GetCart.self, AddToCart.self, SetCartQuantity.self, RemoveFromCart.self,
        Checkout.self, GetOrder.self, GetPurchaseHistory.self, AdvanceOrder.self, CancelOrder.self, ReturnItems.self,
        ListPickups.self,
    ]

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
