/// The coupons service's commands are the ``CommandContract`` types of this folder; this
/// holds their shared rules and limits.
public enum CouponsCommand {
    /// Every command coupons takes.
    public static let all: [any CommandContract.Type] = [
        UpsertCampaign.self, GetCampaign.self, ListCampaigns.self,
        IssueCoupon.self, GetWallet.self, ValidateCoupon.self,
        ReserveCoupon.self, ConfirmRedemption.self, ReleaseRedemption.self, RedeemCoupon.self,
    ]

    /// The channels that may create and change campaigns.
    public static let campaignChannels: Set<String> = ["backoffice"]
    /// The channels that may issue a coupon to a customer by hand (a customer-facing channel
    /// such as `app` or `store` shows coupons, it does not mint them).
    public static let issueChannels: Set<String> = ["backoffice", "email", "call_center", "social", "chat"]
    /// How long a reservation holds a coupon when the request does not say.
    public static let defaultHoldSeconds = 15 * 60
    /// The longest a reservation may hold a coupon.
    public static let maxHoldSeconds = 24 * 60 * 60
    /// The most lines a basket may have.
    public static let maxBasketLines = 200
    /// The longest code accepted, in bytes, before it is even looked at.
    public static let maxCodeBytes = 64
}

/// `coupons.campaign.upsert`: creates a campaign or replaces its definition (from
/// `backoffice` only). Redemptions already made stay; a lower budget stops further ones.
public struct UpsertCampaign: CommandContract {
    public typealias Reply = CampaignView
    public static let name = "coupons.campaign.upsert"

    public var campaign: Campaign
    public init(campaign: Campaign) { self.campaign = campaign }
}

/// `coupons.campaign.get` (a query).
public struct GetCampaign: QueryContract {
    public typealias Reply = CampaignView
    public static let name = "coupons.campaign.get"

    public var campaignId: String
    public init(campaignId: String) { self.campaignId = campaignId }
}

/// `coupons.campaign.list` (a query): every campaign, by id.
public struct ListCampaigns: QueryContract {
    public typealias Reply = CampaignList
    public static let name = "coupons.campaign.list"
    public init() {}
}

/// The reply to ``ListCampaigns``.
public struct CampaignList: Codable, Sendable, Equatable {
    public var campaigns: [CampaignView]
    public init(campaigns: [CampaignView]) { self.campaigns = campaigns }
}

/// `coupons.coupon.issue`: gives the customer a new personal coupon of a campaign that has
/// no shared code, issued on the request's channel (one of ``CouponsCommand/issueChannels``).
public struct IssueCoupon: CommandContract {
    public typealias Reply = CouponView
    public static let name = "coupons.coupon.issue"

    public var customerId: String
    public var campaignId: String
    public init(customerId: String, campaignId: String) {
        self.customerId = customerId
        self.campaignId = campaignId
    }
}

/// `coupons.wallet.get` (a query): the customer's personal coupons, newest first.
public struct GetWallet: QueryContract {
    public typealias Reply = Wallet
    public static let name = "coupons.wallet.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// `coupons.coupon.validate` (a query): what `code` takes off `basket` for the customer on
/// the request's channel, or why it does not apply. Changes nothing.
public struct ValidateCoupon: QueryContract {
    public typealias Reply = CouponValidation
    public static let name = "coupons.coupon.validate"

    public var code: String
    public var customerId: String
    public var basket: Basket
    public init(code: String, customerId: String, basket: Basket) {
        self.code = code
        self.customerId = customerId
        self.basket = basket
    }
}

/// `coupons.coupon.reserve`: holds `code` for a checkout for `holdSeconds` (default
/// ``CouponsCommand/defaultHoldSeconds``), counting against budget and limits until it is
/// confirmed, released or lapses. A refusal is an error whose `details.reason` is a
/// ``CouponRefusal``.
public struct ReserveCoupon: CommandContract {
    public typealias Reply = Redemption
    public static let name = "coupons.coupon.reserve"

    public var code: String
    public var customerId: String
    public var basket: Basket
    public var checkoutId: String?
    public var holdSeconds: Int?
    public init(code: String, customerId: String, basket: Basket, checkoutId: String? = nil, holdSeconds: Int? = nil) {
        self.code = code
        self.customerId = customerId
        self.basket = basket
        self.checkoutId = checkoutId
        self.holdSeconds = holdSeconds
    }
}

/// `coupons.redemption.confirm`: makes a reservation a redemption. A lapsed reservation is
/// confirmed only if the coupon is still free (else the refusal's reason); confirming a
/// redeemed one again answers the same.
public struct ConfirmRedemption: CommandContract {
    public typealias Reply = Redemption
    public static let name = "coupons.redemption.confirm"

    public var redemptionId: String
    public var orderId: String?
    public init(redemptionId: String, orderId: String? = nil) {
        self.redemptionId = redemptionId
        self.orderId = orderId
    }
}

/// `coupons.redemption.release`: gives a reservation back (`checkout_failed`), or a
/// redemption whose order was cancelled (`order_cancelled`, refused with `conflict` when
/// the campaign does not return coupons on cancel). Releasing a released one answers the same.
public struct ReleaseRedemption: CommandContract {
    public typealias Reply = Redemption
    public static let name = "coupons.redemption.release"

    public var redemptionId: String
    public var reason: ReleaseReason?
    public init(redemptionId: String, reason: ReleaseReason? = nil) {
        self.redemptionId = redemptionId
        self.reason = reason
    }
}

/// `coupons.coupon.redeem`: uses `code` at once, for a till that needs no reservation.
/// Refusals as for ``ReserveCoupon``.
public struct RedeemCoupon: CommandContract {
    public typealias Reply = Redemption
    public static let name = "coupons.coupon.redeem"

    public var code: String
    public var customerId: String
    public var basket: Basket
    public var orderId: String?
    public init(code: String, customerId: String, basket: Basket, orderId: String? = nil) {
        self.code = code
        self.customerId = customerId
        self.basket = basket
        self.orderId = orderId
    }
}
