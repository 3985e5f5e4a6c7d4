import GRDB
import OmnibusContracts
import OmnibusService

/// Coupons' part of every customer's ``CustomerView`` as a snapshot, for front ends older than
/// its retained log: a `wallet` record per customer with a coupon or a redemption
/// (``CouponsSnapshot``), holding what the view folds from coupons' events — each code in
/// the state of the latest event about it, the details from `coupon.issued`.
enum WalletSnapshot {
    static let provider = SnapshotProvider(version: CouponsSnapshot.version, kinds: [
        SnapshotProvider.Kind(name: CouponsSnapshot.walletKind) { db, after, limit in try wallets(after: after, limit: limit, in: db) },
    ])

    static func wallets(after: String?, limit: Int, in db: Database) throws -> [SnapshotRecord] {
        // Rows are held under the survivor of a merge, and an erased customer's are gone (its
        // redemptions have no customer); erasedCustomer is checked all the same. Each side is
        // read at most `limit` ids deep along its customerId index.
        let after = after ?? ""
        let ids = try String.fetchAll(db, sql: """
            SELECT customerId FROM (
                SELECT DISTINCT customerId FROM coupon
                WHERE customerId > ? AND customerId NOT IN (SELECT id FROM erasedCustomer) ORDER BY customerId LIMIT ?)
            UNION
            SELECT customerId FROM (
                SELECT DISTINCT customerId FROM redemption
                WHERE customerId > ? AND customerId NOT IN (SELECT id FROM erasedCustomer) ORDER BY customerId LIMIT ?)
            ORDER BY 1 LIMIT ?
            """, arguments: [after, limit, after, limit, limit])
        guard !ids.isEmpty else { return [] }
        let coupons = Dictionary(grouping: try CouponRecord.filter(ids.contains(Column("customerId"))).fetchAll(db), by: \.customerId)
        let redemptions = Dictionary(grouping: try RedemptionRecord.filter(ids.contains(Column("customerId"))).fetchAll(db)) {
            $0.customerId ?? ""
        }
        var campaignEnds: [String: Timestamp?] = [:]
        func campaignEnd(_ campaignId: String) throws -> Timestamp? {
            if let known = campaignEnds[campaignId] { return known }
            let end = try CampaignRecord.find(campaignId, in: db)?.campaign().validUntil
            campaignEnds[campaignId] = end
            return end
        }
        return try ids.map { id in
            let wallet = CouponsSnapshot.Wallet(
                customerId: id, coupons: try fold(issued: coupons[id] ?? [], used: redemptions[id] ?? [], campaignEnd: campaignEnd))
            return SnapshotRecord(kind: CouponsSnapshot.walletKind, key: id, data: try JSONValue(encoding: wallet))
        }
    }

    /// One customer's coupons as the view folds their events: a coupon per code issued or
    /// used, in the state of the latest event about the code, newest issue first.
    static func fold(issued: [CouponRecord], used: [RedemptionRecord],
                     campaignEnd: (String) throws -> Timestamp?) throws -> [CustomerView.Coupon] {
        var byCode: [String: CustomerView.Coupon] = [:]
        for coupon in issued {
            // Issued before coupons-v2: position 0 (older than anything after), and the
            // campaign's end as it is now — the event carried the one then, not recorded.
            let event = CouponsEvent.CouponIssued(
                code: coupon.code, campaignId: coupon.campaignId, customerId: coupon.customerId, channel: coupon.issuedChannel,
                validUntil: coupon.issuedSequence == nil
                    ? try campaignEnd(coupon.campaignId) : coupon.validUntil.map(Timestamp.init(millisecondsSince1970:)))
            byCode[coupon.code] = CustomerView.Coupon(event, sequence: coupon.issuedSequence ?? 0)
        }
        // Each redemption's latest event is its current state; of a code's redemptions, the
        // latest of those sets the code's state. Positions from before coupons-v2 are 0, and
        // such rows are ordered by when they last changed (the best there is).
        let latest = Dictionary(grouping: used, by: \.code).mapValues { rows in
            rows.max { ($0.stateSequence ?? 0, $0.updatedAt, $0.createdAt, $0.id) < ($1.stateSequence ?? 0, $1.updatedAt, $1.createdAt, $1.id) }!
        }
        for (code, redemption) in latest {
            let use = CustomerView.Coupon(redemption.redemption, sequence: redemption.stateSequence ?? 0)
            guard var coupon = byCode[code] else {
                byCode[code] = use   // a shared code: no issue
                continue
            }
            // A code's uses follow its issue, so a use wins a tie (0 and 0, before coupons-v2).
            if use.asOf >= coupon.asOf {
                coupon.campaignId = use.campaignId
                coupon.state = use.state
                coupon.asOf = use.asOf
            }
            byCode[code] = coupon
        }
        return byCode.values.sorted { ($0.issuedSequence ?? $0.asOf, $0.code) > ($1.issuedSequence ?? $1.asOf, $1.code) }
    }
}
