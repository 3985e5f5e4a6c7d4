import Foundation
import GRDB
import OmnibusContracts

/// A row of `campaign`: the definition as its JSON.
struct CampaignRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "campaign"
    var id: String
    var definition: Data
    var sharedCode: String?
    var updatedAt: Int64

    func campaign() throws -> Campaign { try ContractCoding.decode(Campaign.self, from: definition) }
}

/// A row of `coupon`: a personal code and whose it is.
struct CouponRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "coupon"
    var code: String
    var campaignId: String
    var customerId: String
    var issuedChannel: String?
    var issuedAt: Int64
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
