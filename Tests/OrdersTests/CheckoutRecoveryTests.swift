import Foundation
import GRDB
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing
@testable import OrdersService

/// A checkout interrupted between its stored steps (as a crash would leave it) is finished
/// or undone when the service starts again; never left half-placed.
@Suite("Orders: interrupted checkouts")
struct CheckoutRecoveryTests {
    /// Writes a checkout that completed only its first step (stock reserved, no order),
    /// `age` ago, into the database of a stopped service.
    static func interruptedCheckout(in path: String, age: Duration) throws -> CheckoutPlan {
        let database = try ServiceDatabase(path: path, migrations: OrdersMigrations.register(in:))
        let plan = CheckoutPlan(
            checkoutId: "chk_test", orderId: "ord_test", customerId: "cus_recovery", fulfilment: .pickup, storeId: "berlin",
            address: nil, currency: "EUR", items: [.init(sku: "shoe-red-38", quantity: 2, unitPriceMinor: 8999)],
            channel: "web", fromCart: true, replacesOrderId: nil)
        let store = EventStore(source: OrdersService.name, database: database)
        try store.write(correlationId: nil) { emitter in
            let db = emitter.db
            try CartRecord(customerId: plan.customerId, version: 1, updatedAt: 0).insert(db)
            try CartLineRecord(customerId: plan.customerId, sku: "shoe-red-38", quantity: 2, channel: "web", addedAt: 0).insert(db)
            var record = try CheckoutProcess.begin(plan, in: db)
            try CheckoutProcess.runLocal(&record, plan: plan, emitter: emitter, stopAfter: 1)
            record.createdAt -= age.wholeMilliseconds
            try record.update(db)
        }
        return plan
    }

    static func checkoutStatus(_ orders: OrdersHarness) throws -> String? {
        try orders.service.runtime.store.database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM checkout WHERE id = 'chk_test'")
        }
    }

    @Test("a recent checkout interrupted after reserving stock is resumed at start-up: the order is placed once")
    func resumes() async throws {
        let first = try await OrdersHarness.start()
        let directory = first.directory
        try await first.stop(remove: false)
        _ = try Self.interruptedCheckout(in: directory.file("orders.sqlite"), age: .seconds(1))

        let orders = try await OrdersHarness.start(directory: directory)
        let order = try await orders.order("ord_test")
        #expect(order.status == .placed)
        #expect(order.lines.map(\.quantity) == [2])
        #expect(try await orders.stock("shoe-red-38", at: "berlin")?.reserved == 2, "reserved once, not again")
        #expect(try Self.checkoutStatus(orders) == "completed")
        #expect(try await orders.cart("cus_recovery").lines.isEmpty)
        #expect(try orders.events(OrdersEvent.OrderPlaced.type, as: OrdersEvent.OrderPlaced.self).map(\.data.orderId) == ["ord_test"])
        try await orders.stop()
    }

    @Test("an old interrupted checkout is compensated: its stock is released and no order appears")
    func compensates() async throws {
        let first = try await OrdersHarness.start()
        let directory = first.directory
        try await first.stop(remove: false)
        _ = try Self.interruptedCheckout(in: directory.file("orders.sqlite"), age: .seconds(3600))

        let orders = try await OrdersHarness.start(directory: directory)
        #expect(try await orders.stock("shoe-red-38", at: "berlin")?.reserved == 0)
        let missing = try await orders.send(GetOrder(orderId: "ord_test"))
        #expect(missing.error?.code == .notFound)
        #expect(try Self.checkoutStatus(orders) == "compensated")
        #expect(try await orders.cart("cus_recovery").lines.map(\.sku) == ["shoe-red-38"], "the cart is still there to retry")
        try await orders.stop()
    }
}
