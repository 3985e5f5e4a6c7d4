import Foundation
import Logging
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// A front end that was away longer than every service keeps its events: the customer view
/// it folds from the services' snapshots is the one it would have folded from their whole logs.
@Suite("Customer views from snapshots: a front end away longer than the logs are kept", .serialized)
struct FeedRetentionTests {
    static let services = ["identity", "orders", "coupons", "conversation", "notifications"]

    @Test("every service's log retired: the view folded from the five snapshots equals the one folded from the whole logs")
    func viewFromSnapshots() async throws {
        try await ServiceProcesses.with(Self.services, start: true) { suite in
            let identity = suite.sender("identity"), orders = suite.sender("orders"), coupons = suite.sender("coupons")
            let conversation = suite.sender("conversation")
            let ana = try await suite.resolve(.email, "ana@example.com", channel: "web")
            let ben = try await suite.resolve(.email, "ben@example.com", channel: "app")
            let carla = try await suite.resolve(.phone, "+49 170 1234567", channel: "store")
            _ = try await identity.call(SetPreferences(customerId: ana, preferredChannel: .email), channel: "web")
            _ = try await identity.call(SetConsent(customerId: ana, purpose: .marketing, channel: .email, granted: true), channel: "web")
            _ = try await orders.call(AddToCart(customerId: ben, sku: "socks-trio", quantity: 1), channel: "app")
            let order = try await orders.call(Checkout(customerId: ben, fulfilment: .pickup(at: "berlin-mitte")), channel: "app")
            _ = try await orders.call(AddToCart(customerId: ben, sku: "shoe-aria-red-38", quantity: 1), channel: "app")
            _ = try await orders.call(AddToCart(customerId: ana, sku: "socks-trio", quantity: 2), channel: "web")
            _ = try await conversation.call(RecordTouchpoint(customerId: ben, kind: .adClick, campaign: "spring-aria",
                                                             productId: "shoe-aria", sku: "shoe-aria-red-38"), channel: "instagram")
            _ = try await conversation.call(OpenCase(customerId: ana, subject: "Where is my parcel?", priority: .high), channel: "call_center")
            _ = try await coupons.call(IssueCoupon(customerId: ana, campaignId: "welcome-10"), channel: "email")
            _ = try await orders.call(AddToCart(customerId: carla, sku: "socks-trio", quantity: 1), channel: "store")
            _ = try await identity.call(MergeCustomers(survivorId: ana, mergedId: ben), channel: "call_center")
            _ = try await identity.call(EraseCustomer(customerId: carla), channel: "call_center")
            _ = try await orders.call(AdvanceOrder(orderId: order.orderId, to: .readyForPickup, storeId: "berlin-mitte"), channel: "store")
            try await Self.quiet(suite)

            // What a front end that saw every event shows.
            let whole = try await Self.fold(suite)
            #expect(whole.snapshotChunks.isEmpty, "every log is whole: nothing comes from a snapshot")
            let reference = try #require(whole.views.view(of: ben))
            #expect(reference.customerId == ana && reference.mergedIds == [ben])
            #expect(reference.orders.map(\.orderId) == [order.orderId] && reference.orders.first?.status == .readyForPickup)
            #expect(Set(reference.cart?.items.map(\.sku) ?? []) == ["socks-trio", "shoe-aria-red-38"])
            #expect(!reference.coupons.isEmpty && !reference.touchpoints.isEmpty && !reference.cases.isEmpty)
            #expect(!reference.notifications.isEmpty, "order-placed went to the app's inbox")
            #expect(whole.views.view(of: carla)?.status == .erased)

            // Every service restarted keeping one second of events, until each keeps only its newest.
            for service in Self.services {
                try await suite.stop(service)
                try suite.start(service, arguments: ["--keep-events", "1s", "--trim-every", "1s"])
            }
            try await eventually("every service's log holds only its newest event", timeout: .seconds(60)) {
                for service in Self.services {
                    let health = try await suite.sender(service).health()
                    guard health.head > 1, health.storage?.oldestSequence == health.head else { return false }
                }
                return true
            }

            let away = try await Self.fold(suite)
            #expect(away.snapshotChunks.keys.sorted() == Self.services.sorted(), "every source was read from its snapshot")
            #expect(away.views.view(of: ben)?.unseen == reference.unseen,
                    "the same customer, field for field, from the snapshots")
            #expect(away.views.view(of: carla)?.status == .erased)

            // What `omnibus customer` (CustomerFeed, out of this process) shows starts from the snapshots too.
            let shown = try await OpsToolTests.omnibus(["customer", "--config", suite.configPath, ben], in: suite.directory)
            #expect(shown.exit == .exited(0), "\(shown.output)")
            #expect(try ContractCoding.decode(CustomerView.self, from: Data(shown.output.utf8)).unseen == reference.unseen)
        }
    }

    /// Every source's log folded from the start, as a front end does, and the snapshot chunks read per source.
    static func fold(_ suite: ServiceProcesses) async throws -> (views: CustomerViews, snapshotChunks: [String: Int]) {
        var options = BusEvents.Options()
        options.untilCaughtUp = true
        options.catchUpTimeout = .seconds(60)
        options.snapshotsOf = Set(services)
        let sources = try services.map(suite.configuration.subscriptionSource(of:))
        var views = CustomerViews()
        var chunks: [String: Int] = [:]
        for try await item in BusEvents(sources: sources, context: suite.context, logger: Logger(label: "test.fold"), options: options) {
            switch item {
            case .event(let event): try views.apply(event.envelope)
            case .snapshot(let chunk):
                views.apply(snapshot: chunk.records, of: chunk.source, through: chunk.sequence)
                chunks[chunk.source, default: 0] += 1
            case .gapRepaired, .caughtUp: continue
            }
        }
        #expect(views.skipped == 0)
        return (views, chunks)
    }

    /// Waits until every service has applied every source's events and no head moved meanwhile.
    static func quiet(_ suite: ServiceProcesses) async throws {
        var previous: [String: Int64] = [:]
        try await eventually("every service applied every other's events, and nothing moved") {
            var heads: [String: Int64] = [:]
            var reports: [HealthReport] = []
            for service in services {
                let health = try await suite.sender(service).health()
                heads[service] = health.head
                reports.append(health)
            }
            let applied = reports.allSatisfy { report in report.subscriptions.allSatisfy { $0.value.applied == heads[$0.key] } }
            defer { previous = heads }
            return applied && heads == previous
        }
    }
}
