import GRDB
import OmnibusContracts
import OmnibusService

/// `orders.cart.*`: one cart per customer, edited from any channel. Commands of one service
/// run one after another, so two channels editing at once never lose an update; a client
/// that sends `expectedVersion` also learns when its view was stale (`conflict`).
enum CartCommands {
    static func register(in registry: inout CommandRegistry) {
        registry.register(GetCart.self) { input, context in
            try Carts.view(of: try KnownCustomers.current(input.customerId, in: context.db), in: context.db)
        }
        registry.register(AddToCart.self, retry: cartNow) { input, context in
            try add(input, context: context)
        }
        registry.register(SetCartQuantity.self, retry: cartNow) { input, context in
            try setQuantity(input.customerId, input.sku, input.quantity, expectedVersion: input.expectedVersion, context: context)
        }
        registry.register(RemoveFromCart.self, retry: cartNow) { input, context in
            try setQuantity(input.customerId, input.sku, 0, expectedVersion: input.expectedVersion, context: context)
        }
    }

    /// A cart command's reply is the cart, which `cart get` reads anyway: kept for retries as
    /// the customer id, and a retry is answered with the cart as it is then (docs/ORDERS.md).
    static let cartNow = RetryReply<CartView>(key: { $0.customerId }, reread: { customerId, db in
        try Carts.view(of: try KnownCustomers.current(customerId, in: db), in: db)
    })

    static func add(_ input: AddToCart, context: CommandContext) throws -> CartView {
        let db = context.db
        try Validation.quantity(input.quantity)
        let customerId = try KnownCustomers.current(input.customerId, in: db)
        let (cart, linesAddedAt) = try Carts.read(customerId, in: db)
        try Carts.check(expectedVersion: input.expectedVersion, of: cart)
        let item = try Catalog.item(input.sku, in: db)
        let price = item.variant.price
        if let currency = input.currency {
            try InputCheck.currency(currency)
            guard currency == price.currency else {
                throw OmnibusError(.invalidArgument, "\(input.sku) is priced in \(price.currency), not \(currency)")
            }
        }
        if let other = cart.lines.first(where: { $0.unitPrice.currency != price.currency }) {
            throw OmnibusError(.invalidArgument, "the cart is in \(other.unitPrice.currency); \(input.sku) is priced in \(price.currency)")
        }
        if let index = cart.lines.firstIndex(where: { $0.sku == input.sku }) {
            var lines = cart.lines
            lines[index].quantity += input.quantity
            try Validation.quantity(lines[index].quantity)
            try Carts.setQuantity(lines[index].quantity, of: input.sku, for: customerId, in: db)
            return try Carts.changed(cart, to: lines, OrdersEvent.CartQuantityChanged.self, sku: input.sku, emitter: context)
        }
        guard cart.lines.count < OrdersCommand.maxCartLines else {
            throw OmnibusError(.invalidArgument, "a cart holds at most \(OrdersCommand.maxCartLines) lines")
        }
        // The cart row must exist before its first line; a cart read at version 1 or later has one.
        if cart.version == 0 { try Carts.ensure(customerId, in: db) }
        let addedAt = Timestamp.now().millisecondsSince1970
        let insert = try db.raw("INSERT INTO cartLine (customerId, sku, quantity, channel, addedAt) VALUES (?, ?, ?, ?, ?)")
        try insert.bind(1, customerId)
        try insert.bind(2, input.sku)
        try insert.bind(3, input.quantity)
        try insert.bind(4, context.channel)
        try insert.bind(5, addedAt)
        try insert.execute()
        var lines = cart.lines
        lines.insert(CartLine(sku: input.sku, productId: item.variant.productId, name: item.productName,
                              attributes: item.variant.attributes, quantity: input.quantity, unitPrice: price, channel: context.channel),
                     at: Carts.position(of: input.sku, addedAt: addedAt, among: cart.lines, addedAt: linesAddedAt))
        return try Carts.changed(cart, to: lines, OrdersEvent.CartItemAdded.self, sku: input.sku, emitter: context)
    }

    static func setQuantity(_ customerId: String, _ sku: String, _ quantity: Int, expectedVersion: Int64?,
                            context: CommandContext) throws -> CartView {
        let db = context.db
        try Validation.quantity(quantity, allowZero: true)
        let customerId = try KnownCustomers.current(customerId, in: db)
        let cart = try Carts.view(of: customerId, in: db)
        try Carts.check(expectedVersion: expectedVersion, of: cart)
        guard cart.lines.contains(where: { $0.sku == sku }) else {
            throw OmnibusError(.notFound, "the cart has no line '\(InputCheck.excerpt(sku))'")
        }
        if quantity == 0 {
            try db.execute(sql: "DELETE FROM cartLine WHERE customerId = ? AND sku = ?", arguments: [customerId, sku])
            return try Carts.changed(customerId, OrdersEvent.CartItemRemoved.self, sku: sku, emitter: context)
        }
        try Carts.setQuantity(quantity, of: sku, for: customerId, in: db)
        return try Carts.changed(customerId, OrdersEvent.CartQuantityChanged.self, sku: sku, emitter: context)
    }
}
