import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Synchronization
import Testing

/// Identity and orders as separate processes on real ports, the way `omnibus up` runs them.
@Suite("Orders and identity as separate processes", .serialized)
struct OrdersJourneyTests {
    static let services = ["identity", "orders"]

    @Test("cart continuity across app, web and store, then an anonymous cart merged on login while orders was down")
    func anonymousCartSurvivesLogin() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            // A registered web shopper with one item, and the same person anonymous in the app.
            let registered = try await suite.resolve(.email, "lea@example.com", channel: "web")
            let _ = try await suite.identity.call(LinkIdentifier(customerId: registered, identifier: IdentifierInput(.email, "lea@example.com"), verified: true),
                channel: "web")
            try await suite.add(registered, "socks-trio", 1, channel: "web")
            let anonymous = try await suite.resolve(.device, "ios-7F3A", channel: "app")
            try await suite.add(anonymous, "shoe-aria-red-38", 1, channel: "app")
            try await suite.add(anonymous, "tee-basic-white-M", 1, channel: "app")
            #expect(try await suite.cart(anonymous, channel: "web").lines.count == 2, "the web sees the app's cart")
            try await suite.add(anonymous, "socks-trio", 1, channel: "store")
            #expect(try await suite.cart(anonymous, channel: "app").lines.map(\.channel) == ["app", "app", "store"])

            // Orders goes down hard; the customer logs in meanwhile; orders comes back and catches up.
            try await suite.kill("orders")
            let outcome = try await suite.identity.call(LinkIdentifier(customerId: anonymous, identifier: IdentifierInput(.email, "lea@example.com"), verified: true, merge: true),
                channel: "app")
            #expect(outcome.customerId == registered)
            try suite.start("orders")
            try await suite.ordersCaughtUp()

            let cart = try await suite.cart(registered, channel: "web")
            #expect(cart.lines.map(\.sku) == ["socks-trio", "shoe-aria-red-38", "tee-basic-white-M"])
            #expect(cart.lines.map(\.quantity) == [2, 1, 1])
            #expect(try await suite.cart(anonymous, channel: "app") == cart)

            // What an operator sees with `omnibus send`: the same cart, as JSON.
            let sent = try await OpsToolTests.omnibus(
                ["send", "--config", suite.configPath, "orders", GetCart.name, #"{"customerId":"\#(anonymous)"}"#, "--channel", "call_center"],
                in: suite.directory)
            #expect(sent.exit == .exited(0), "\(sent.output)")
            let reply = try ContractCoding.decode(CommandReply<CartView>.self, from: Data(sent.output.utf8))
            #expect(reply.data == cart)

            // And what any channel folds from the bus: `omnibus customer` uses the contract's CustomerViews.
            let folded = try await OpsToolTests.omnibus(["customer", "--config", suite.configPath, anonymous], in: suite.directory)
            #expect(folded.exit == .exited(0), "\(folded.output)")
            let view = try ContractCoding.decode(CustomerView.self, from: Data(folded.output.utf8))
            #expect(view.customerId == registered)
            #expect(view.mergedIds == [anonymous])
            #expect(view.status == .registered)
            #expect(view.cart?.items.map(\.sku) == cart.lines.map(\.sku))
            #expect(view.cart?.items.map(\.quantity) == cart.lines.map(\.quantity))
            #expect(view.cart?.version == cart.version)

            let merges = try await DatabaseQueue(path: suite.directory.file("data/orders.sqlite"), configuration: {
                var configuration = Configuration()
                configuration.readonly = true
                return configuration
            }()).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE type = ?", arguments: [OrdersEvent.CartMerged.type])
            }
            #expect(merges == 1, "the merge was applied exactly once")
        }
    }

    @Test("a front end following a customer with CustomerFeed sees another channel's change as it happens")
    func liveFeed() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            let customer = try await suite.resolve(.device, "feed-device", channel: "app")
            let sources = try suite.configuration.services.keys.sorted().map(suite.configuration.subscriptionSource(of:))
            let updates = Mutex<[CustomerView?]>([])
            let views = CustomerFeed.views(of: customer, sources: sources, context: suite.context, logger: Logger(label: "test.feed"))
            let feed = Task {
                for try await view in views { updates.withLock { $0.append(view) } }
            }
            try await eventually("the app shows the customer") { updates.withLock { $0.last??.customerId == customer } }
            #expect(updates.withLock { $0.last??.cart } == nil)

            try await suite.add(customer, "socks-trio", 2, channel: "web")
            try await eventually("the app shows the line the web added") {
                updates.withLock { $0.last??.cart?.items.map(\.sku) == ["socks-trio"] }
            }
            #expect(updates.withLock { $0.last??.cart?.items.first?.channel } == "web")

            // Cancelling the reader's task stops the feed: its thread ends and its sockets close.
            let eventsPort = try #require(Int(try suite.configuration.endpoints(of: "orders").events.split(separator: ":").last ?? ""))
            #expect(ThreadCensus.count(named: "customer-feed") == 1)
            #expect(TCPConnections.established(toPort: eventsPort) >= 1, "the feed is subscribed to orders")
            feed.cancel()
            try await feed.value
            try await eventually("the feed's thread is gone") { ThreadCensus.count(named: "customer-feed") == 0 }
            try await eventually("its connection to orders is closed") { TCPConnections.established(toPort: eventsPort) == 0 }
        }
    }

    @Test("omnibus metrics shows both services' counters in one valid Prometheus exposition")
    func metrics() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            let customer = try await suite.resolve(.device, "metrics-device", channel: "app")
            try await suite.add(customer, "socks-trio", 1, channel: "app")
            try await suite.ordersCaughtUp()

            var output = ""
            try await eventually("orders' applied counter reached identity's head (2)") {
                let result = try await OpsToolTests.omnibus(["metrics", "--config", suite.configPath], in: suite.directory)
                output = result.output
                return result.exit == .exited(0) && output.contains(#"omnibus_events_applied_total{service="orders",from="identity"} 2"#)
            }
            #expect(output.contains(#"omnibus_commands_total{service="identity",command="identity.resolve",outcome="ok"} 1"#), "\(output)")
            #expect(output.contains(#"omnibus_commands_total{service="orders",command="orders.cart.add",outcome="ok"} 1"#), "\(output)")
            let typeLines = output.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
            #expect(Set(typeLines).count == typeLines.count, "each metric family is declared once")
        }
    }
}

/// What the orders journeys do with the suite (identity, orders, resolve: CouponsJourneyTests).
extension ServiceProcesses {
    func add(_ customerId: String, _ sku: String, _ quantity: Int, channel: String) async throws {
        let _ = try await orders.call(AddToCart(customerId: customerId, sku: sku, quantity: quantity), channel: channel)
    }

    func cart(_ customerId: String, channel: String) async throws -> CartView {
        try await orders.call(GetCart(customerId: customerId), channel: channel)
    }

    func ordersCaughtUp() async throws {
        let head = try await identity.health().head
        try await eventually("orders applied identity through \(head)") {
            try await orders.health().subscriptions["identity"]?.applied == head
        }
    }
}
