import Foundation
import GRDB
import OmnibusContracts
import Synchronization

/// A row of `campaign`: the definition as its JSON.
struct CampaignRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "campaign"
    var id: String
    var definition: Data
    var sharedCode: String?
    var redeemedCount: Int
    var updatedAt: Int64

    func campaign() throws -> Campaign { try Self.decode(definition) }

    /// Decoded definitions by their bytes: equal bytes are the same campaign, so a hit is
    /// right whatever transaction read it, and validation skips a JSON decode per command.
    private static let decoded = Mutex<[Data: Campaign]>([:])

    static func decode(_ definition: Data) throws -> Campaign {
        if let campaign = decoded.withLock({ $0[definition] }) { return campaign }
        let campaign = try ContractCoding.decode(Campaign.self, from: definition)
        decoded.withLock { cache in
            if cache.count >= 1_000 { cache.removeAll() }
            cache[definition] = campaign
        }
        return campaign
    }

    /// The campaign row with `id`, through a cached statement.
    static func find(_ id: String, in db: Database) throws -> CampaignRecord? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM campaign WHERE id = ?"), arguments: [id])
    }

    /// The campaign whose shared code is `code` (normalised), through a cached statement.
    static func find(sharedCode code: String, in db: Database) throws -> CampaignRecord? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM campaign WHERE sharedCode = ?"), arguments: [code])
    }
}

/// A row of `coupon`: a personal code and whose it is.
struct CouponRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "coupon"
    var code: String
    var campaignId: String
    var customerId: String
    var issuedChannel: String?
    var issuedAt: Int64
    /// The log position of its `coupon.issued`; nil for coupons issued before coupons-v2.
    var issuedSequence: Int64?
    /// The campaign's `validUntil` (ms) as `coupon.issued` carried it; nil when it had none,
    /// or (with `issuedSequence` nil) not recorded.
    var validUntil: Int64?

    /// The coupon with `code` (normalised), through a cached statement.
    static func find(_ code: String, in db: Database) throws -> CouponRecord? {
        try fetchOne(db.cachedStatement(sql: "SELECT * FROM coupon WHERE code = ?"), arguments: [code])
    }
}

/// A row of `redemption`.
struct RedemptionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "redemption"
    var id: String
    var code: String
    var campaignId: String
    var customerId: String?
    var state: RedemptionState
    var discountMinor: Int64
    var currency: String
    var channel: String?
    var checkoutId: String?
    var orderId: String?
    var expiresAt: Int64?
    var releaseReason: ReleaseReason?
    var createdAt: Int64
    var updatedAt: Int64
    /// The log position of the event announcing `state`; nil when that was before coupons-v2.
    var stateSequence: Int64?

    var redemption: Redemption {
        Redemption(
            redemptionId: id, code: code, campaignId: campaignId, customerId: customerId, state: state,
            discount: Money(amountMinor: discountMinor, currency: currency), channel: channel, checkoutId: checkoutId,
            orderId: orderId, expiresAt: expiresAt.map(Timestamp.init(millisecondsSince1970:)), releaseReason: releaseReason,
            updatedAt: Timestamp(millisecondsSince1970: updatedAt))
    }

    /// Whether it holds its coupon at `now`: redeemed, or reserved and not lapsed.
    func holds(at now: Int64) -> Bool {
        state == .redeemed || (state == .reserved && (expiresAt ?? .max) > now)
    }
}
