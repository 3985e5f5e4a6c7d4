import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing
@testable import CouponsService

/// Coupons' snapshot: what a front end away longer than coupons keeps its events rebuilds
/// the wallets from.
@Suite("Coupons: the wallet snapshot")
struct CouponsSnapshotTests {
    /// Coupons consuming a real identity's events, releasing lapsed holds every 100 ms.
    static func withPair(_ body: (CouponsIdentityReactionTests.Pair) async throws -> Void) async throws {
        let identity = try await InProcessIdentity.start(context: try ZMQContext())
        var options = CouponsService.Options(seed: CouponsHarness.seed)
        options.lapseSweepInterval = .milliseconds(100)
        let coupons: CouponsHarness
        do {
            coupons = try await CouponsHarness.start(sources: [identity.service.asSource], options: options)
        } catch {
            try await identity.stop()
            throw error
        }
        try await scoped(CouponsIdentityReactionTests.Pair(identity: identity, coupons: coupons), stop: { try await $0.stop() }, body)
    }

    /// Every `wallet` record, read two at a time as the replay endpoint pages them, and the
    /// last sequence they reflect, from one read transaction.
    static func snapshot(of coupons: CouponsHarness) throws -> (records: [SnapshotRecord], through: Int64) {
        try coupons.service.runtime.store.database.pool.read { db in
            guard let kind = WalletSnapshot.provider.kinds.first(where: { $0.name == CouponsSnapshot.walletKind }) else {
                throw TestFailure("coupons serves no \(CouponsSnapshot.walletKind) records")
            }
            var records: [SnapshotRecord] = []
            while true {
                let page = try kind.read(db, records.last?.key, 2)
                records += page
                if page.count < 2 { break }
            }
            return (records, try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0)
        }
    }

    @Test("the wallets served, folded after identity's events, are the views coupons' events fold to: merge, erasure, lapse, shared codes")
    func snapshotFoldsLikeTheEvents() async throws {
        try await Self.withPair { pair in
            let coupons = pair.coupons
            let ana = try await pair.resolve("ios-ana")
            let ben = try await pair.resolve("web-ben")
            let cy = try await pair.resolve("web-cy")
            let dee = try await pair.resolve("ios-dee")

            let anaCoupon = try await coupons.issue("welcome", to: ana, channel: "email").code
            let benCoupon = try await coupons.issue("shoes", to: ben, channel: "call_center").code
            let hold = try await coupons.reserve(benCoupon, for: ben, checkoutId: "chk-1")
            let _ = try await coupons.call(ReleaseRedemption(redemptionId: hold.redemptionId), channel: "web")
            try await coupons.reserve(benCoupon, for: ben, checkoutId: "chk-2")
            try await coupons.redeem("SUMMER10", for: ana, channel: "web")
            // The campaign's end changes after ana's coupon was issued without one.
            let end = Timestamp(millisecondsSince1970: Timestamp.now().millisecondsSince1970 + 30 * 86_400_000)
            try await coupons.upsert(Campaign(campaignId: "welcome", name: "Welcome 10%", discount: Discount(percent: 10), validUntil: end))
            let cyCoupon = try await coupons.issue("welcome", to: cy, channel: "chat").code
            let lapsing = try await coupons.reserve(cyCoupon, for: cy, checkoutId: "chk-slow", holdSeconds: 1)
            try await eventually("the lapsed hold is released") {
                try coupons.service.loggedEvents(CouponsEvent.CouponReleased.type, as: Redemption.self)
                    .contains { $0.data.redemptionId == lapsing.redemptionId }
            }
            try await coupons.reserve("SUMMER10", for: cy, checkoutId: "chk-cy")
            try await coupons.issue("welcome", to: dee, channel: "email")
            try await coupons.redeem("SUMMER10", for: dee, channel: "store")

            let _ = try await pair.identityCommands.call(EraseCustomer(customerId: dee), channel: "backoffice")
            let _ = try await pair.identityCommands.call(MergeCustomers(survivorId: ben, mergedId: ana))
            try await pair.caughtUp()
            try await coupons.redeem(anaCoupon, for: ana, channel: "store")   // the old id, after the merge
            try await coupons.redeem("SUMMER10", for: ben, channel: "web")

            let identityLog = try pair.identity.service.loggedEnvelopes()
            let couponsLog = try coupons.service.loggedEnvelopes()
            let (records, through) = try Self.snapshot(of: coupons)
            #expect(records.map(\.key) == [ben, cy].sorted(), "one record per customer with coupons; none for the merged-away or the erased")
            #expect(records.allSatisfy { $0.kind == CouponsSnapshot.walletKind })

            var fromEvents = CustomerViews()
            for envelope in identityLog + couponsLog { try fromEvents.apply(envelope) }
            var fromSnapshot = CustomerViews()
            for envelope in identityLog { try fromSnapshot.apply(envelope) }
            let changed = fromSnapshot.apply(snapshot: records, of: CouponsEvent.source, through: through)
            #expect(changed == [ben, cy])
            #expect(fromSnapshot.skipped == 0 && fromEvents.skipped == 0)
            #expect(fromSnapshot.unseen == fromEvents.unseen, "the snapshot folds to the views the events fold to")
            #expect(fromSnapshot.view(of: ben)?.seen[CouponsEvent.source] == through)
            // And the events after the snapshot are passed over.
            for envelope in couponsLog { #expect(try fromSnapshot.apply(envelope) == nil) }

            let benView = try #require(fromSnapshot.view(of: ana))
            #expect(benView.customerId == ben)
            #expect(benView.coupons.map(\.code) == ["SUMMER10", benCoupon, anaCoupon])
            #expect(benView.coupons.map(\.state) == [.redeemed, .reserved, .redeemed])
            #expect(benView.coupons.map(\.issuedChannel) == [nil, "call_center", "email"])
            #expect(benView.coupons.last?.validUntil == nil, "the end coupon.issued carried, not the campaign's now")
            let cyView = try #require(fromSnapshot.view(of: cy))
            #expect(cyView.coupons.map(\.code) == ["SUMMER10", cyCoupon])
            #expect(cyView.coupons.map(\.state) == [.reserved, .issued], "released when its hold lapsed")
            #expect(cyView.coupons.last?.validUntil == end)
            #expect(fromSnapshot.view(of: dee)?.coupons == [])
        }
    }

    @Test("rows from before positions were recorded are served at position 0, with the campaign's end as it is now")
    func rowsFromBeforeTheMigration() async throws {
        try await CouponsHarness.with { coupons in
            let lea = "cus_lea"
            let end = Timestamp(millisecondsSince1970: Timestamp.now().millisecondsSince1970 + 86_400_000)
            let code = try await coupons.issue("welcome", to: lea).code
            try await coupons.reserve(code, for: lea, checkoutId: "chk-old")
            try await coupons.redeem("SUMMER10", for: lea)
            try await coupons.upsert(Campaign(campaignId: "welcome", name: "Welcome 10%", discount: Discount(percent: 10), validUntil: end))
            try await coupons.service.runtime.store.database.pool.write { db in
                try db.execute(sql: "UPDATE coupon SET issuedSequence = NULL, validUntil = NULL")
                try db.execute(sql: "UPDATE redemption SET stateSequence = NULL")
            }
            let (records, _) = try Self.snapshot(of: coupons)
            let wallet = try #require(records.first).decode(CouponsSnapshot.Wallet.self)
            #expect(records.count == 1 && wallet.customerId == lea)
            #expect(Set(wallet.coupons.map(\.code)) == [code, "SUMMER10"])
            #expect(wallet.coupons.allSatisfy { $0.asOf == 0 && ($0.issuedSequence ?? 0) == 0 })
            let personal = try #require(wallet.coupons.first { $0.code == code })
            #expect(personal.state == .reserved && personal.issuedSequence == 0 && personal.validUntil == end)
            #expect(wallet.coupons.first { $0.code == "SUMMER10" }?.state == .redeemed)
        }
    }
}
