import Foundation
import GRDB
import Logging
import NotificationsService
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import OrdersService
import Synchronization
import Testing

/// Real identity, orders and notifications services in the test process, each with its own
/// SQLite file, over real sockets; notifications consumes identity and orders and runs the
/// shipped rules and templates (deploy/notifications) unless told otherwise.
final class NotificationsHarness: Sendable {
    let identity: InProcessIdentity
    let ordersDirectory: TemporaryDirectory
    let orders: RunningRuntime
    let directory: TemporaryDirectory
    let context: ZMQContext
    let options: NotificationsService.Options
    private let running: RunningBox

    static let shippedRules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/notifications").path

    var service: RunningRuntime { running.value }
    var notifications: CommandSender { CommandSender(endpoint: service.endpoints.commands, context: context) }
    var ordersCommands: CommandSender { CommandSender(endpoint: orders.endpoints.commands, context: context) }

    private init(identity: InProcessIdentity, ordersDirectory: TemporaryDirectory, orders: RunningRuntime, directory: TemporaryDirectory,
                 context: ZMQContext, options: NotificationsService.Options, service: RunningRuntime) {
        self.identity = identity
        self.ordersDirectory = ordersDirectory
        self.orders = orders
        self.directory = directory
        self.context = context
        self.options = options
        running = RunningBox(service)
    }

    /// Runs `body` with the services started; notifications delivers with `delivery` (nothing
    /// configured: e-mail and SMS wait, queued) and schedules by `clock`.
    static func with(rules: NotificationRules? = nil, delivery: DeliverySettings = DeliverySettings(), clock: NotificationsClock = .system,
                     _ body: (NotificationsHarness) async throws -> Void) async throws {
        let context = try ZMQContext()
        let identity = try await InProcessIdentity.start(context: context)
        let ordersDirectory = try TemporaryDirectory()
        let orders = try await RunningRuntime.start(OrdersService.name, in: ordersDirectory, sources: [identity.service.asSource], context: context) {
            try OrdersService.makeRuntime(configuration: $0, options: OrdersService.Options(seed: seed), context: $1, logger: $2)
        }
        let directory = try TemporaryDirectory()
        let options = NotificationsService.Options(rules: try rules ?? NotificationRules.load(directory: shippedRules), delivery: delivery, clock: clock)
        let harness = NotificationsHarness(
            identity: identity, ordersDirectory: ordersDirectory, orders: orders, directory: directory, context: context, options: options,
            service: try await startNotifications(in: directory, options: options, sources: [identity.service.asSource, orders.asSource],
                                                  context: context))
        try await scoped(harness, stop: { try await $0.stop() }, body)
    }

    static func startNotifications(in directory: TemporaryDirectory, options: NotificationsService.Options, sources: [SubscriptionSource],
                                   context: ZMQContext) async throws -> RunningRuntime {
        try await RunningRuntime.start(NotificationsService.name, in: directory, sources: sources, context: context) {
            try NotificationsService.makeRuntime(configuration: $0, options: options, context: $1, logger: $2)
        }
    }

    /// Stops notifications, forgets how far it got from every source, and starts it again on
    /// the same database: every event is delivered to it once more.
    func replayEverything() async throws {
        try await service.stop()
        let queue = try DatabaseQueue(path: directory.file("notifications.sqlite"))
        try await queue.write { db in try db.execute(sql: "DELETE FROM inboxOffset") }
        running.value = try await Self.startNotifications(in: directory, options: options, sources: [identity.service.asSource, orders.asSource],
                                                          context: context)
    }

    /// Stops notifications and starts it again on the same database (waiting timers included).
    func restart() async throws {
        try await service.stop()
        running.value = try await Self.startNotifications(in: directory, options: options, sources: [identity.service.asSource, orders.asSource],
                                                          context: context)
    }

    func stop() async throws {
        try await service.stop()
        try await orders.stop()
        try await identity.stop()
        directory.remove()
        ordersDirectory.remove()
    }

    /// Waits until notifications has applied everything identity and orders logged.
    func caughtUp() async throws {
        try await identity.waitUntilApplied(by: notifications)
        let head = try await ordersCommands.health().head
        try await eventually("notifications applied orders through \(head)") {
            try await notifications.health().subscriptions[OrdersService.name]?.applied == head
        }
    }

    /// A customer, known by `email` if given, speaking `locale`.
    func customer(device: String, email: String? = nil, locale: String? = nil) async throws -> String {
        let customerId = try await identity.resolve(.device, device, channel: "app")
        if let email {
            let _ = try await identity.commands.call(LinkIdentifier(customerId: customerId, identifier: IdentifierInput(.email, email), verified: true),
                                                     channel: "web")
        }
        if let locale {
            let _ = try await identity.commands.call(UpdateProfile(customerId: customerId, locale: locale), channel: "app")
        }
        return customerId
    }

    /// Buys a shoe for pickup in Berlin and has the store make it ready.
    @discardableResult
    func orderReadyForPickup(_ customerId: String) async throws -> OrderView {
        let _ = try await ordersCommands.call(AddToCart(customerId: customerId, sku: "shoe-red-38", quantity: 1), channel: "app")
        let order = try await ordersCommands.call(Checkout(customerId: customerId, fulfilment: .pickup(at: "berlin")), channel: "app")
        return try await ordersCommands.call(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "berlin"), channel: "store")
    }

    func log(_ customerId: String) async throws -> [NotificationView] {
        try await notifications.call(GetNotificationLog(customerId: customerId), channel: "call_center").notifications
    }

    /// The customer's notification of `ruleId`, once there is one whose status is in `statuses`.
    @discardableResult
    func notification(_ customerId: String, rule ruleId: String, becomes statuses: Set<NotificationStatus>) async throws -> NotificationView {
        var found: NotificationView?
        try await eventually("\(ruleId) for \(customerId) to be \(statuses)") {
            found = try await log(customerId).first { $0.ruleId == ruleId && statuses.contains($0.status) }
            return found != nil
        }
        return try #require(found)
    }

    /// Sets the customer's e-mail or phone, preferred channel and quiet hours at identity.
    func reach(_ customerId: String, phone: String? = nil, preferred: ContactChannel? = nil, quietHours: QuietHours? = nil) async throws {
        if let phone {
            let _ = try await identity.commands.call(LinkIdentifier(customerId: customerId, identifier: IdentifierInput(.phone, phone), verified: true),
                                                     channel: "app")
        }
        if preferred != nil || quietHours != nil {
            let _ = try await identity.commands.call(SetPreferences(customerId: customerId, preferredChannel: preferred, quietHours: quietHours),
                                                     channel: "app")
        }
    }

    static let seed = CatalogSeed(
        products: [Product(productId: "shoe-aria", name: "Aria", variants: [
            Variant(sku: "shoe-red-38", attributes: ["colour": "red", "size": "38"], price: Money(amountMinor: 8999, currency: "EUR")),
        ])],
        stores: [Store(storeId: "berlin", name: "Berlin Mitte", shipsOnline: false)],
        stock: [CatalogSeed.Stock(storeId: "berlin", sku: "shoe-red-38", onHand: 100)])

    /// The running notifications service, replaced by ``replayEverything()``.
    final class RunningBox: Sendable {
        private let storage: Mutex<RunningRuntime>
        init(_ value: RunningRuntime) { storage = Mutex(value) }
        var value: RunningRuntime {
            get { storage.withLock { $0 } }
            set { storage.withLock { $0 = newValue } }
        }
    }
}
