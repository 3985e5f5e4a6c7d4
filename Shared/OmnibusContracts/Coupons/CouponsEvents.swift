/// The coupons service's events (source `coupons`). They carry codes, campaign ids and
/// amounts, never personal data.
public enum CouponsEvent {
    public static let source = "coupons"

    /// The events of a redemption changing state; each carries the whole ``Redemption``.
    public static let redemptionEvents: [any WrappingEvent<Redemption>.Type] = [
        CouponReserved.self, CouponRedeemed.self, CouponReleased.self,
    ]

    /// The event of a redemption entering `redemption.state`.
    public static func redemptionEvent(_ redemption: Redemption) -> any WrappingEvent<Redemption> {
        switch redemption.state {
        case .reserved: CouponReserved(redemption)
        case .redeemed: CouponRedeemed(redemption)
        case .released: CouponReleased(redemption)
        }
    }

    /// Every type the service emits.
    public static let all: [any EventContract.Type] =
        [CampaignUpserted.self, CouponIssued.self] + redemptionEvents + [WalletMerged.self, CustomerDataErased.self]

    /// `campaign.upserted`: a campaign was created or its definition replaced (the whole campaign).
    public struct CampaignUpserted: WrappingEvent, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "campaign.upserted"
        public var body: Campaign
        public init(_ body: Campaign) { self.body = body }
    }

    /// `coupon.issued`: a personal coupon was given to a customer.
    public struct CouponIssued: EventContract, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "coupon.issued"

        public var code: String
        public var campaignId: String
        public var customerId: String
        /// The channel it was issued on; `auto` when a campaign rule issued it.
        public var channel: String?
        public var validUntil: Timestamp?
        public init(code: String, campaignId: String, customerId: String, channel: String?, validUntil: Timestamp?) {
            self.code = code
            self.campaignId = campaignId
            self.customerId = customerId
            self.channel = channel
            self.validUntil = validUntil
        }
    }

    /// `coupon.reserved`: a checkout holds a coupon.
    public struct CouponReserved: WrappingEvent, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "coupon.reserved"
        public var body: Redemption
        public init(_ body: Redemption) { self.body = body }
    }

    /// `coupon.redeemed`: a coupon was used (directly, or by confirming a reservation).
    public struct CouponRedeemed: WrappingEvent, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "coupon.redeemed"
        public var body: Redemption
        public init(_ body: Redemption) { self.body = body }
    }

    /// `coupon.released`: a reservation or redemption was given back; the coupon is usable again.
    public struct CouponReleased: WrappingEvent, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "coupon.released"
        public var body: Redemption
        public init(_ body: Redemption) { self.body = body }
    }

    /// `wallet.merged`: after identity's merge, the merged customer's coupons and
    /// redemptions now belong to the survivor (emitted only when there were some).
    public struct WalletMerged: EventContract, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "wallet.merged"

        public var mergedId: String
        public var survivorId: String
        public var codes: [String]
        public init(mergedId: String, survivorId: String, codes: [String]) {
            self.mergedId = mergedId
            self.survivorId = survivorId
            self.codes = codes
        }
    }

    /// `customer.data_erased`: after identity's erasure, the customers' coupons were deleted
    /// and their redemptions kept without a customer (they still count for budgets).
    public struct CustomerDataErased: EventContract, Equatable {
        public static let source = CouponsEvent.source
        public static let type = "customer.data_erased"

        public var erasedIds: [String]
        public var couponsDeleted: Int
        public init(erasedIds: [String], couponsDeleted: Int) {
            self.erasedIds = erasedIds
            self.couponsDeleted = couponsDeleted
        }
    }
}
