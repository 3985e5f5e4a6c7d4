/// A coupon campaign: what a coupon of it takes off, where and when it may be redeemed, and
/// how many times. Loaded from deploy/campaigns.json on first start and changed with
/// ``UpsertCampaign`` from the `backoffice` channel.
public struct Campaign: Codable, Sendable, Equatable {
    /// `[a-z0-9_-]`, 1–64 characters.
    public var campaignId: String
    /// Shown to customers; at most 200 bytes.
    public var name: String
    public var discount: Discount
    /// The least a basket must total, per currency, for the coupon to apply; a basket in a
    /// currency not listed is not eligible. Nil or empty: no minimum.
    public var minimumBasket: [Money]?
    /// Redeemable from this instant; nil for at once.
    public var validFrom: Timestamp?
    /// Redeemable until this instant (exclusive); nil for no end.
    public var validUntil: Timestamp?
    /// The channels a coupon may be redeemed on (`store`, `web`, …); nil for all.
    public var channels: [String]?
    /// Only these SKUs get the discount; nil with ``productIds`` nil for every line.
    public var skus: [String]?
    /// Only lines of these products get the discount.
    public var productIds: [String]?
    /// The most redemptions the campaign allows in total (reservations count); nil for no limit.
    public var budget: Int?
    /// The most redemptions one customer may have (merged customers count together); nil for no limit.
    public var perCustomerLimit: Int?
    /// One public code everybody may type (e.g. `SUMMER10`); nil when the campaign issues
    /// single-use personal codes.
    public var sharedCode: String?
    /// The events that issue a personal coupon of this campaign on their own.
    public var autoIssue: [AutoIssueTrigger]?
    /// Whether a redemption whose order is cancelled gives the coupon back (default true).
    public var returnOnCancel: Bool?
    /// A paused campaign validates nothing and issues nothing (default true).
    public var active: Bool?

    public init(campaignId: String, name: String, discount: Discount, minimumBasket: [Money]? = nil,
                validFrom: Timestamp? = nil, validUntil: Timestamp? = nil, channels: [String]? = nil,
                skus: [String]? = nil, productIds: [String]? = nil, budget: Int? = nil, perCustomerLimit: Int? = nil,
                sharedCode: String? = nil, autoIssue: [AutoIssueTrigger]? = nil, returnOnCancel: Bool? = nil,
                active: Bool? = nil) {
        self.campaignId = campaignId
        self.name = name
        self.discount = discount
        self.minimumBasket = minimumBasket
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.channels = channels
        self.skus = skus
        self.productIds = productIds
        self.budget = budget
        self.perCustomerLimit = perCustomerLimit
        self.sharedCode = sharedCode
        self.autoIssue = autoIssue
        self.returnOnCancel = returnOnCancel
        self.active = active
    }

    /// Whether the campaign is running (not paused).
    public var isActive: Bool { active ?? true }
}

/// What a coupon takes off: a whole percentage of the eligible lines, or a fixed amount per
/// currency (never more than the eligible lines cost). Exactly one of the two.
public struct Discount: Codable, Sendable, Equatable {
    /// 1–100.
    public var percent: Int?
    /// One amount per currency, each positive.
    public var amounts: [Money]?

    public init(percent: Int) {
        self.percent = percent
        amounts = nil
    }

    public init(amounts: [Money]) {
        percent = nil
        self.amounts = amounts
    }
}

/// An event on which a campaign issues a personal coupon by itself.
public struct AutoIssueTrigger: RawRepresentable, Codable, Sendable, Hashable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The customer's first order was placed (orders' `order.placed`).
    public static let firstOrder = AutoIssueTrigger(rawValue: "first_order")
    /// A return was accepted as a goodwill gesture (orders' `order.returned` with `goodwill`).
    public static let goodwillReturn = AutoIssueTrigger(rawValue: "goodwill_return")
    /// A complaint case was resolved or closed with a goodwill gesture (conversation's
    /// `case.updated` with `goodwill`).
    public static let caseClosed = AutoIssueTrigger(rawValue: "case_closed")
    /// The triggers this version acts on; a campaign naming another is refused.
    public static let known: [AutoIssueTrigger] = [.firstOrder, .goodwillReturn, .caseClosed]
}

/// A campaign with what has been done with it.
public struct CampaignView: Codable, Sendable, Equatable {
    public var campaign: Campaign
    /// Personal coupons issued (0 for a shared code).
    public var issued: Int
    /// Redemptions held by a checkout and not yet confirmed.
    public var reserved: Int
    /// Redemptions confirmed.
    public var redeemed: Int
    public init(campaign: Campaign, issued: Int, reserved: Int, redeemed: Int) {
        self.campaign = campaign
        self.issued = issued
        self.reserved = reserved
        self.redeemed = redeemed
    }
}

/// The campaigns a coupons service loads into an empty database on first start.
public struct CampaignSeed: Codable, Sendable {
    public var campaigns: [Campaign]
    public init(campaigns: [Campaign]) { self.campaigns = campaigns }
}
