import Foundation
import OmnibusContracts
import Testing

@Suite("Orders: bad input gets a clear error and changes nothing")
struct OrdersBadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let command: String
        let body: JSONValue
        let code: ErrorCode
        var channel = "app"
        var testDescription: String { name }
    }

    static let customer = "cus_0b9e1c52-7f4c-4a7e-9d51-2f1c0e7a9b33"

    static func add(_ sku: String, _ quantity: Double, currency: String? = nil) -> JSONValue {
        var body: [String: JSONValue] = ["customerId": .string(customer), "sku": .string(sku), "quantity": .number(quantity)]
        if let currency { body["currency"] = .string(currency) }
        return .object(body)
    }

    static let cases: [Case] = [
        Case(name: "unknown product", command: AddToCart.name, body: add("shoe-gold-99", 1), code: .notFound),
        Case(name: "negative quantity", command: AddToCart.name, body: add("tee-white-m", -1), code: .invalidArgument),
        Case(name: "zero quantity", command: AddToCart.name, body: add("tee-white-m", 0), code: .invalidArgument),
        Case(name: "absurd quantity", command: AddToCart.name, body: add("tee-white-m", 1_000_000), code: .invalidArgument),
        Case(name: "fractional quantity", command: AddToCart.name, body: add("tee-white-m", 1.5), code: .invalidArgument),
        Case(name: "wrong currency", command: AddToCart.name, body: add("tee-white-m", 1, currency: "USD"), code: .invalidArgument),
        Case(name: "not a currency", command: AddToCart.name, body: add("tee-white-m", 1, currency: "euro"), code: .invalidArgument),
        Case(name: "malformed customer id", command: AddToCart.name,
             body: .object(["customerId": .string("robert'); DROP TABLE cart;--"), "sku": .string("tee-white-m"), "quantity": .number(1)]),
             code: .invalidArgument),
        Case(name: "oversized SKU", command: AddToCart.name, body: add(String(repeating: "x", count: 100_000), 1), code: .notFound),
        Case(name: "missing field", command: AddToCart.name, body: .object(["customerId": .string(customer)]), code: .invalidArgument),
        Case(name: "checkout of an empty cart", command: Checkout.name,
             body: .object(["customerId": .string(customer), "fulfilment": .object(["kind": .string("pickup"), "storeId": .string("berlin")])]),
             code: .invalidArgument),
        Case(name: "unknown fulfilment kind", command: Checkout.name,
             body: .object(["customerId": .string(customer), "fulfilment": .object(["kind": .string("teleport")])]),
             code: .invalidArgument),
        Case(name: "stock for an unknown store", command: SetStock.name,
             body: .object(["storeId": .string("paris"), "sku": .string("tee-white-m"), "onHand": .number(4)]), code: .notFound,
             channel: "backoffice"),
        Case(name: "negative stock", command: SetStock.name,
             body: .object(["storeId": .string("berlin"), "sku": .string("tee-white-m"), "onHand": .number(-4)]), code: .invalidArgument,
             channel: "store"),
        Case(name: "stock set from the app", command: SetStock.name,
             body: .object(["storeId": .string("berlin"), "sku": .string("tee-white-m"), "onHand": .number(0)]), code: .forbidden),
        Case(name: "product with a bad price currency", command: UpsertProduct.name,
             body: .object(["product": .object(["productId": .string("hat"), "name": .string("Hat"), "variants": .array([
                 .object(["sku": .string("hat-1"), "attributes": .object([:]),
                          "price": .object(["amountMinor": .number(100), "currency": .string("Euro")])]),
             ])])]), code: .invalidArgument, channel: "backoffice"),
        Case(name: "a price change from the web shop", command: UpsertProduct.name,
             body: .object(["product": .object(["productId": .string("tee"), "name": .string("Basic T-shirt"), "variants": .array([
                 .object(["sku": .string("tee-white-m"), "attributes": .object([:]),
                          "price": .object(["amountMinor": .number(1), "currency": .string("EUR")])]),
             ])])]), code: .forbidden, channel: "web"),
        Case(name: "a SKU of another product", command: UpsertProduct.name,
             body: .object(["product": .object(["productId": .string("hat"), "name": .string("Hat"), "variants": .array([
                 .object(["sku": .string("tee-white-m"), "attributes": .object([:]),
                          "price": .object(["amountMinor": .number(100), "currency": .string("EUR")])]),
             ])])]), code: .conflict, channel: "backoffice"),
        Case(name: "unknown order", command: CancelOrder.name,
             body: .object(["orderId": .string("ord_nope"), "reason": .string("changed my mind")]), code: .notFound),
        Case(name: "pickups of an unknown store", command: ListPickups.name, body: .object(["storeId": .string("paris")]), code: .notFound),
    ]

    @Test("each bad request gets its error code and leaves the log as it was", arguments: cases)
    func badRequest(_ example: Case) async throws {
        try await OrdersHarness.with { orders in
            let head = try await orders.head()
            let reply = try await orders.sendRaw(example.command, example.body, channel: example.channel)
            #expect(reply.ok == false)
            #expect(reply.error?.code == example.code, "\(reply.error?.message ?? "no error")")
            #expect(reply.error?.message.isEmpty == false)
            #expect((reply.error?.message.count ?? 0) < 400, "errors do not echo huge inputs")
            #expect(try await orders.head() == head)
            #expect(try await orders.cart(Self.customer).lines.isEmpty)
        }
    }

    @Test("a cart holds one currency")
    func mixedCurrencies() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "tee-white-m")
            let reply = try await orders.send(AddToCart(customerId: customer, sku: "cap-usd", quantity: 1))
            #expect(reply.error?.code == .invalidArgument)
            #expect(try await orders.cart(customer).lines.map(\.sku) == ["tee-white-m"])
        }
    }

    @Test("a variant dropped from the catalog while in a cart cannot be checked out")
    func discontinuedVariant() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-black-38")
            let shoe = OrdersHarness.seed.products[0]
            let _ = try await orders.call(UpsertProduct(product: Product(
                productId: shoe.productId, name: shoe.name, variants: shoe.variants.filter { $0.sku != "shoe-black-38" })),
                channel: "backoffice")
            let reply = try await orders.send(Checkout(customerId: customer, fulfilment: .pickup(at: "berlin")))
            #expect(reply.error?.code == .conflict)
            #expect(reply.error?.details(as: CartView.self)?.lines.map(\.sku) == ["shoe-black-38"])
            #expect(try await orders.stock("shoe-black-38", at: "berlin")?.reserved == 0)
            let readd = try await orders.send(AddToCart(customerId: customer, sku: "shoe-black-38", quantity: 1))
            #expect(readd.error?.code == .notFound)
        }
    }

    @Test("click & collect at a store without the stock is refused and reserves nothing")
    func storeWithoutStock() async throws {
        try await OrdersHarness.with { orders in
            let customer = OrdersHarness.newCustomerId()
            try await orders.add(customer, "shoe-red-38")
            let head = try await orders.head()
            let reply = try await orders.send(Checkout(customerId: customer, fulfilment: .pickup(at: "hamburg")))
            #expect(reply.error?.code == .conflict)
            #expect(reply.error?.message.contains("hamburg") == true)
            #expect(try await orders.head() == head)
            #expect(try await orders.cart(customer).lines.count == 1, "the cart is still there")
            #expect(try await orders.stock("shoe-red-38", at: "berlin")?.reserved == 0)
        }
    }
}
