import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Coupons consuming a real identity service's events over real sockets, in one process.
@Suite("Coupons: identity's merges and erasures")
struct CouponsIdentityReactionTests {
    struct Pair {
        let identity: InProcessIdentity
        let coupons: CouponsHarness
        var identityCommands: CommandSender { identity.commands }

        static func start() async throws -> Pair {
            let identity = try await InProcessIdentity.start(context: try ZMQContext())
            do {
                return Pair(identity: identity, coupons: try await CouponsHarness.start(sources: [identity.service.asSource]))
            } catch {
                try await identity.stop()
                throw error
            }
        }

        func resolve(_ value: String) async throws -> String { try await identity.resolve(.device, value) }
        func caughtUp() async throws { try await identity.waitUntilApplied(by: coupons.commands) }

        func stop() async throws {
            try await coupons.stop()
            try await identity.stop()
        }

        static func with<Result>(_ body: (Pair) async throws -> Result) async throws -> Result {
            try await scoped(try await start(), stop: { try await $0.stop() }, body)
        }
    }

    @Test("a merge moves the wallet to the survivor, and per-customer limits count both customers' redemptions")
    func mergeMovesWallet() async throws {
        try await Pair.with { pair in
            let coupons = pair.coupons
            let app = try await pair.resolve("ios-1")
            let web = try await pair.resolve("web-1")
            let appCoupon = try await coupons.issue("welcome", to: app).code
            let webCoupon = try await coupons.issue("welcome", to: web).code
            try await coupons.redeem("SUMMER10", for: app)
            try await coupons.redeem("SUMMER10", for: web)   // the limit is 2: one each, before the merge

            let _ = try await pair.identityCommands.call(MergeCustomers(survivorId: web, mergedId: app))
            try await pair.caughtUp()

            let wallet = try await coupons.wallet(app)
            #expect(wallet.customerId == web, "the merged-away id reads the survivor's wallet")
            #expect(Set(wallet.coupons.map(\.code)) == [appCoupon, webCoupon])
            #expect(try await coupons.validate(appCoupon, for: web).valid, "the survivor may use the merged customer's coupon")
            #expect(try await coupons.validate("SUMMER10", for: web).reason == .customerLimitReached,
                    "two redemptions between them reach the limit of 2")
            let moved = try coupons.service.loggedEvents(CouponsEvent.WalletMerged.type, as: CouponsEvent.WalletMerged.self)
            #expect(moved.map(\.data) == [CouponsEvent.WalletMerged(mergedId: app, survivorId: web,
                                                                    codes: [appCoupon])])
        }
    }

    @Test("an erasure deletes the wallet, keeps redemptions anonymously for the budget, and refuses the customer from then on")
    func erasureKeepsBudgetCounts() async throws {
        try await Pair.with { pair in
            let coupons = pair.coupons
            let customer = try await pair.resolve("ios-erase")
            let code = try await coupons.issue("welcome", to: customer).code
            try await coupons.redeem("SUMMER10", for: customer)
            let _ = try await pair.identityCommands.call(EraseCustomer(customerId: customer), channel: "backoffice")
            try await pair.caughtUp()

            let reply = try await coupons.send(GetWallet(customerId: customer))
            #expect(reply.error?.code == .notFound)
            #expect(try await coupons.call(GetCampaign(campaignId: "summer")).redeemed == 1, "the erased customer's redemption still counts")
            let stored = try await coupons.service.runtime.store.database.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM coupon")!,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM redemption WHERE customerId IS NOT NULL")!)
            }
            #expect(stored == (0, 0))
            let erased = try coupons.service.loggedEvents(CouponsEvent.CustomerDataErased.type, as: CouponsEvent.CustomerDataErased.self)
            #expect(erased.map(\.data) == [CouponsEvent.CustomerDataErased(erasedIds: [customer], couponsDeleted: 1)])
            let validation = try await coupons.send(ValidateCoupon(code: code, customerId: customer, basket: CouponsHarness.basket()))
            #expect(validation.error?.code == .notFound)
        }
    }
}
