import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// `CustomerView` folded from the real logs of identity and orders: every channel that has
/// seen the same events shows the same customer, however the two sources interleaved.
@Suite("Customer view: one fold, the same customer on every channel")
struct CustomerViewTests {
    /// The views of `customerId` folded from the two logs in several interleavings, with duplicates.
    static func viewsInEveryOrder(identity: [Data], orders: [Data], of customerId: String) throws -> [CustomerView?] {
        try Interleavings.views(of: customerId, from: [identity, orders]).map { folded in
            #expect(folded.skipped == 0)
            return folded.view
        }
    }

    @Test("app cart, order and login merge: the same view from every interleaving, with profile, cart and orders")
    func sameViewFromEveryInterleaving() async throws {
        let pair = try await IdentityReactionTests.Pair.start()
        let orders = pair.orders
        let registered = try await pair.resolve(.email, "lea@example.com", channel: "web")
        _ = try await pair.logIn(registered, email: "lea@example.com")
        let _ = try await pair.identityCommands.call(SetConsent(customerId: registered, purpose: .marketing, channel: .email, granted: true),
            channel: "web")
        try await orders.add(registered, "tee-white-m", 1, channel: "web")
        let anonymous = try await pair.resolve(.device, "ios-7F3A", channel: "app")
        try await orders.add(anonymous, "shoe-red-38", 1, channel: "app")
        let order = try await orders.checkout(anonymous, .pickup(at: "berlin"), channel: "app")
        let _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "berlin"), channel: "store")
        try await orders.add(anonymous, "shoe-black-38", 1, channel: "app")
        _ = try await pair.logIn(anonymous, email: "lea@example.com")
        try await pair.caughtUp()
        try await orders.add(anonymous, "tee-white-m", 1, channel: "store")

        let views = try Self.viewsInEveryOrder(
            identity: try pair.identity.loggedEnvelopes(), orders: try orders.service.loggedEnvelopes(), of: anonymous)
        let view = try #require(views.first ?? nil)
        #expect(views.allSatisfy { $0 == view }, "every interleaving folds to the same customer")

        #expect(view.customerId == registered)
        #expect(view.status == .registered)
        #expect(view.mergedIds == [anonymous])
        #expect(view.identifiers.map(\.kind) == [.device, .email])
        #expect(view.consents.map { "\($0.purpose.rawValue)/\($0.channel.rawValue)=\($0.granted)" } == ["marketing/email=true"])
        let cart = try #require(view.cart)
        #expect(Dictionary(uniqueKeysWithValues: cart.items.map { ($0.sku, $0.quantity) }) == ["tee-white-m": 2, "shoe-black-38": 1])
        let held = try await orders.cart(registered)
        #expect(cart.version == held.version, "the fold shows the cart the orders service holds")
        #expect(cart.items.map(\.sku) == held.lines.map(\.sku) && cart.items.map(\.quantity) == held.lines.map(\.quantity))
        #expect(view.orders.map(\.orderId) == [order.orderId])
        #expect(view.orders.first?.status == .readyForPickup)
        try await pair.stop()
    }

    @Test("an order advanced after its customer was merged: its status shows in every interleaving, even one folding it before the merge")
    func orderAdvancedAfterMerge() async throws {
        let pair = try await IdentityReactionTests.Pair.start()
        let orders = pair.orders
        let registered = try await pair.resolve(.email, "max@example.com", channel: "web")
        _ = try await pair.logIn(registered, email: "max@example.com")
        let anonymous = try await pair.resolve(.device, "android-1B2C", channel: "app")
        try await orders.add(anonymous, "shoe-red-38", 1, channel: "app")
        let order = try await orders.checkout(anonymous, .pickup(at: "berlin"), channel: "app")
        _ = try await pair.logIn(anonymous, email: "max@example.com")
        try await pair.caughtUp()
        // Now named by the survivor: folded before identity's merge, it must still find the order.
        let _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "berlin"), channel: "store")

        let views = try Self.viewsInEveryOrder(
            identity: try pair.identity.loggedEnvelopes(), orders: try orders.service.loggedEnvelopes(), of: anonymous)
        let view = try #require(views.first ?? nil)
        #expect(views.allSatisfy { $0 == view }, "every interleaving folds to the same customer")
        #expect(view.customerId == registered && view.orders.map(\.orderId) == [order.orderId])
        #expect(view.orders.first?.status == .readyForPickup)
        try await pair.stop()
    }

    @Test("an erased customer folds to an empty erased view whichever source came first")
    func erasure() async throws {
        let pair = try await IdentityReactionTests.Pair.start()
        let customer = try await pair.resolve(.email, "gone@example.com", channel: "web")
        try await pair.orders.add(customer, "tee-white-m")
        _ = try await pair.orders.checkout(customer, .pickup(at: "berlin"))
        let _ = try await pair.identityCommands.call(EraseCustomer(customerId: customer))
        try await pair.caughtUp()

        let views = try Self.viewsInEveryOrder(
            identity: try pair.identity.loggedEnvelopes(), orders: try pair.orders.service.loggedEnvelopes(), of: customer)
        let view = try #require(views.first ?? nil)
        #expect(views.allSatisfy { $0 == view })
        #expect(view.status == .erased)
        #expect(view.identifiers.isEmpty && view.orders.isEmpty && view.cart == nil && view.displayName == nil)
        try await pair.stop()
    }

    @Test("events of unknown types or newer versions are passed over and counted, never fatal")
    func unknownEvents() throws {
        var views = CustomerViews()
        let future = #"{"id":"e1","source":"identity","sequence":1,"type":"customer.teleported","schemaVersion":1,"occurredAt":"2026-11-23T00:00:00Z","customerId":"cus_a","data":{}}"#
        let newer = #"{"id":"e2","source":"identity","sequence":2,"type":"customer.created","schemaVersion":2,"occurredAt":"2026-11-23T00:00:00Z","customerId":"cus_a","data":{"shape":"new"}}"#
        #expect(try views.apply(Data(future.utf8)) == nil)
        #expect(try views.apply(Data(newer.utf8)) == nil)
        #expect(views.skipped == 2)
        #expect(views.view(of: "cus_a") == nil)
        #expect(throws: (any Error).self) { try views.apply(Data("not an envelope".utf8)) }
    }

    @Test("snapshot records of unknown kinds, of another source's kind, or that do not read are passed over and counted, never fatal")
    func unreadableSnapshotRecords() throws {
        var views = CustomerViews()
        let cart = OrdersSnapshot.CustomerState(
            customerId: "cus_a", cart: CustomerView.Cart(version: 1, items: [], asOf: 7), orders: [])
        let changed = views.apply(snapshot: [
            SnapshotRecord(kind: "teleporter", key: "cus_a", data: .object([:])),
            SnapshotRecord(kind: CouponsSnapshot.walletKind, key: "cus_a", data: try JSONValue(encoding: cart)),
            SnapshotRecord(kind: OrdersSnapshot.customerKind, key: "cus_a", data: .object(["customerId": .number(42)])),
            SnapshotRecord(kind: OrdersSnapshot.customerKind, key: "cus_a", data: try JSONValue(encoding: cart)),
        ], of: OrdersEvent.source, through: 9)
        #expect(views.skipped == 3, "an unknown kind, coupons' kind from orders, a customer id that is a number")
        #expect(changed == ["cus_a"] && views.view(of: "cus_a")?.cart?.version == 1, "the good record still folds")
        #expect(views.view(of: "cus_a")?.seen[OrdersEvent.source] == 9)
    }
}
