/// A personal coupon as every channel shows it.
public struct CouponView: Codable, Sendable, Equatable {
    /// The code, normalised (`K7QM4XHTP9C`); print it with ``CouponCode/formatted(_:)``
    /// (`K7QM-4XHT-P9C`). Typed with or without the dashes, in any case, it is the same code.
    public var code: String
    public var campaignId: String
    public var campaignName: String
    public var customerId: String
    public var state: CouponState
    public var discount: Discount
    public var validFrom: Timestamp?
    public var validUntil: Timestamp?
    /// Where it may be redeemed; nil for every channel.
    public var channels: [String]?
    /// The channel it was issued on (`email`, `app`, …).
    public var issuedChannel: String?
    public var issuedAt: Timestamp
    /// The redemption holding or using it (state `reserved` or `redeemed`).
    public var redemption: Redemption?

    public init(code: String, campaignId: String, campaignName: String, customerId: String, state: CouponState,
                discount: Discount, validFrom: Timestamp?, validUntil: Timestamp?, channels: [String]?,
                issuedChannel: String?, issuedAt: Timestamp, redemption: Redemption?) {
        self.code = code
        self.campaignId = campaignId
        self.campaignName = campaignName
        self.customerId = customerId
        self.state = state
        self.discount = discount
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.channels = channels
        self.issuedChannel = issuedChannel
        self.issuedAt = issuedAt
        self.redemption = redemption
    }
}

/// Where a personal coupon stands.
public enum CouponState: String, Codable, Sendable {
    /// Usable.
    case issued
    /// Held by a checkout until the reservation is confirmed, released or expires.
    case reserved
    /// Used; refused everywhere from now on.
    case redeemed
    /// Its campaign's window is over.
    case expired
}

/// A customer's coupons, the same from every channel.
public struct Wallet: Codable, Sendable, Equatable {
    public var customerId: String
    /// Newest first.
    public var coupons: [CouponView]
    public init(customerId: String, coupons: [CouponView]) {
        self.customerId = customerId
        self.coupons = coupons
    }
}

/// What is being bought, for pricing a coupon: the lines with their unit prices, all in one currency.
public struct Basket: Codable, Sendable, Equatable {
    public var lines: [BasketLine]
    public init(lines: [BasketLine]) { self.lines = lines }

    /// The lines' total; nil for an empty basket.
    public var total: Money? {
        guard let first = lines.first else { return nil }
        return Money(amountMinor: lines.reduce(0) { $0 + $1.unitPrice.amountMinor * Int64($1.quantity) }, currency: first.unitPrice.currency)
    }
}

/// One line of a ``Basket``.
public struct BasketLine: Codable, Sendable, Equatable {
    public var sku: String
    /// Needed only for campaigns limited to products.
    public var productId: String?
    public var quantity: Int
    public var unitPrice: Money
    public init(sku: String, productId: String? = nil, quantity: Int, unitPrice: Money) {
        self.sku = sku
        self.productId = productId
        self.quantity = quantity
        self.unitPrice = unitPrice
    }
}

/// Why a code does not apply: the same reasons for a validation (``CouponValidation/reason``)
/// and, in `error.details.reason`, for a refused reservation or redemption.
public enum CouponRefusal: String, Codable, Sendable, CaseIterable {
    /// No coupon has this code.
    case unknownCode = "unknown_code"
    /// The code's check character does not match: a typo, not an unknown coupon.
    case mistypedCode = "mistyped_code"
    case expired
    case notYetValid = "not_yet_valid"
    /// The campaign is not redeemable on the request's channel.
    case wrongChannel = "wrong_channel"
    /// A personal coupon of another customer.
    case wrongCustomer = "wrong_customer"
    /// The basket is below the campaign's minimum (or in a currency it has none for).
    case minimumNotMet = "minimum_not_met"
    /// No line of the basket is eligible, or the campaign has no amount in its currency.
    case notApplicable = "not_applicable"
    case customerLimitReached = "customer_limit_reached"
    case budgetExhausted = "budget_exhausted"
    case alreadyRedeemed = "already_redeemed"
    /// Held by another checkout's reservation.
    case reserved
    /// The campaign is paused.
    case inactive

    /// The error code a refused reservation or redemption replies with.
    public var errorCode: ErrorCode {
        switch self {
        case .unknownCode: .notFound
        case .mistypedCode: .invalidArgument
        default: .conflict
        }
    }
}

/// The answer to ``ValidateCoupon``.
public struct CouponValidation: Codable, Sendable, Equatable {
    /// The code normalised when found, or (the start of) what was typed when not.
    public var code: String
    public var valid: Bool
    /// What the coupon takes off this basket (when valid).
    public var discount: Money?
    /// Why it does not apply (when not valid).
    public var reason: CouponRefusal?
    /// A sentence for the clerk or the customer.
    public var message: String
    public var campaignId: String?
    public init(code: String, valid: Bool, discount: Money?, reason: CouponRefusal?, message: String, campaignId: String?) {
        self.code = code
        self.valid = valid
        self.discount = discount
        self.reason = reason
        self.message = message
        self.campaignId = campaignId
    }
}

/// One use of a coupon: held by a checkout (`reserved`), used (`redeemed`), or given back (`released`).
public struct Redemption: Codable, Sendable, Equatable {
    public var redemptionId: String
    public var code: String
    public var campaignId: String
    /// Nil once the customer was erased (the redemption still counts for the budget).
    public var customerId: String?
    public var state: RedemptionState
    /// What it takes off the basket it was made for.
    public var discount: Money
    /// The channel that reserved or redeemed it.
    public var channel: String?
    /// The checkout holding it, for a reservation made by one.
    public var checkoutId: String?
    public var orderId: String?
    /// When an unconfirmed reservation lapses.
    public var expiresAt: Timestamp?
    /// Why it was given back (state `released`).
    public var releaseReason: ReleaseReason?
    public var updatedAt: Timestamp
    public init(redemptionId: String, code: String, campaignId: String, customerId: String?, state: RedemptionState,
                discount: Money, channel: String?, checkoutId: String?, orderId: String?, expiresAt: Timestamp?,
                releaseReason: ReleaseReason?, updatedAt: Timestamp) {
        self.redemptionId = redemptionId
        self.code = code
        self.campaignId = campaignId
        self.customerId = customerId
        self.state = state
        self.discount = discount
        self.channel = channel
        self.checkoutId = checkoutId
        self.orderId = orderId
        self.expiresAt = expiresAt
        self.releaseReason = releaseReason
        self.updatedAt = updatedAt
    }
}

/// Where a ``Redemption`` stands.
public enum RedemptionState: String, Codable, Sendable {
    case reserved
    case redeemed
    case released
}

/// Why a redemption was given back.
public enum ReleaseReason: String, Codable, Sendable {
    /// The checkout holding it failed or was compensated.
    case checkoutFailed = "checkout_failed"
    /// Its reservation was not confirmed in time.
    case expired
    /// Its order was cancelled (when the campaign gives coupons back on cancel).
    case orderCancelled = "order_cancelled"
}
