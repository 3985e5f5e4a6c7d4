import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
@testable import OrdersService

/// A real orders service in the test process: its own SQLite file in a temporary
/// directory, commands over a real DEALER→ROUTER socket on loopback, seeded with
/// ``OrdersHarness/seed``; optionally consuming a real identity service's events.
final class OrdersHarness: CommandTarget, Sendable {
    let directory: TemporaryDirectory
    let context: ZMQContext
    let service: RunningRuntime

    var commands: CommandSender { CommandSender(endpoint: service.endpoints.commands, context: context) }
    var databasePath: String { directory.file("orders.sqlite") }

    private init(directory: TemporaryDirectory, context: ZMQContext, service: RunningRuntime) {
        self.directory = directory
        self.context = context
        self.service = service
    }

    static func start(
        identity: SubscriptionSource? = nil, directory: TemporaryDirectory? = nil, context: ZMQContext? = nil,
        options: OrdersService.Options = OrdersService.Options(seed: seed)
    ) async throws -> OrdersHarness {
        let directory = try directory ?? TemporaryDirectory()
        let context = try context ?? ZMQContext()
        let service = try await RunningRuntime.start(OrdersService.name, in: directory, sources: identity.map { [$0] } ?? [], context: context) {
            try OrdersService.makeRuntime(configuration: $0, options: options, context: $1, logger: $2)
        }
        return OrdersHarness(directory: directory, context: context, service: service)
    }

    /// Stops the service; the directory stays for a restart unless `remove`.
    func stop(remove: Bool = true) async throws {
        try await service.stop()
        if remove { directory.remove() }
    }

    /// Runs `body` with a started orders service and stops it (folder removed) however
    /// `body` ends: a failing `try` in a test leaks no service or folder.
    static func with<Result>(
        identity: SubscriptionSource? = nil, options: OrdersService.Options = OrdersService.Options(seed: seed),
        _ body: (OrdersHarness) async throws -> Result
    ) async throws -> Result {
        try await scoped(try await start(identity: identity, options: options), stop: { try await $0.stop() }, body)
    }



    func cart(_ customerId: String, channel: String = "app") async throws -> CartView {
        try await call(GetCart(customerId: customerId), channel: channel)
    }

    @discardableResult
    func add(_ customerId: String, _ sku: String, _ quantity: Int = 1, channel: String = "app") async throws -> CartView {
        try await call(AddToCart(customerId: customerId, sku: sku, quantity: quantity), channel: channel)
    }

    func checkout(_ customerId: String, _ fulfilment: Fulfilment, channel: String = "web") async throws -> OrderView {
        try await call(Checkout(customerId: customerId, fulfilment: fulfilment), channel: channel)
    }

    func order(_ orderId: String) async throws -> OrderView {
        try await call(GetOrder(orderId: orderId))
    }

    func stock(_ sku: String, at storeId: String) async throws -> StockLevel? {
        let catalog = try await call(GetCatalog())
        return catalog.stock.first { $0.storeId == storeId && $0.sku == sku }
    }

    func head() async throws -> Int64 { try await commands.health().head }

    /// The service's events of one type, decoded, oldest first.
    func events<Payload: Codable & Sendable>(_ type: String, as: Payload.Type = Payload.self) throws -> [EventEnvelope<Payload>] {
        try service.loggedEvents(type, as: Payload.self)
    }

    /// Every envelope in the event log, as text.
    func allEnvelopes() throws -> [String] {
        try service.loggedEnvelopes().map { String(decoding: $0, as: UTF8.self) }
    }

    static func newCustomerId() -> String { "cus_" + UUID().uuidString.lowercased() }

    /// A small catalog: shoes in two colours (EUR), a T-shirt (EUR), a cap priced in USD;
    /// two shops and a shipping warehouse. Hamburg has no shoes.
    static let seed = CatalogSeed(
        products: [
            Product(productId: "shoe-aria", name: "Aria running shoe", variants: [
                Variant(sku: "shoe-red-38", attributes: ["colour": "red", "size": "38"], price: Money(amountMinor: 8999, currency: "EUR")),
                Variant(sku: "shoe-red-40", attributes: ["colour": "red", "size": "40"], price: Money(amountMinor: 8999, currency: "EUR")),
                Variant(sku: "shoe-black-38", attributes: ["colour": "black", "size": "38"], price: Money(amountMinor: 9499, currency: "EUR")),
            ]),
            Product(productId: "tee", name: "Basic T-shirt", variants: [
                Variant(sku: "tee-white-m", attributes: ["colour": "white", "size": "M"], price: Money(amountMinor: 1999, currency: "EUR")),
            ]),
            Product(productId: "cap", name: "Cap", variants: [
                Variant(sku: "cap-usd", attributes: [:], price: Money(amountMinor: 2500, currency: "USD")),
            ]),
        ],
        stores: [
            Store(storeId: "berlin", name: "Berlin Mitte", shipsOnline: false),
            Store(storeId: "hamburg", name: "Hamburg Altona", shipsOnline: false),
            Store(storeId: "warehouse", name: "Online warehouse", shipsOnline: true),
        ],
        stock: ["shoe-red-38", "shoe-red-40", "shoe-black-38", "tee-white-m", "cap-usd"].flatMap { sku in [
            CatalogSeed.Stock(storeId: "berlin", sku: sku, onHand: 3),
            CatalogSeed.Stock(storeId: "warehouse", sku: sku, onHand: 10),
        ] } + [CatalogSeed.Stock(storeId: "hamburg", sku: "tee-white-m", onHand: 2)])
}
