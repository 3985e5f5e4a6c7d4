import OmnibusContracts
import OmnibusService

/// A reason a code does not apply, with a sentence; thrown as an error by reservations and
/// redemptions, returned as a ``CouponValidation`` by validation.
struct Refusal: Error, Equatable {
    var reason: CouponRefusal
    var message: String

    init(_ reason: CouponRefusal, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The reply error: the reason's code, the reason in `details.reason`.
    var error: OmnibusError {
        OmnibusError(reason.errorCode, message, details: .object(["reason": .string(reason.rawValue)]))
    }
}

/// The rules of a campaign that need no database: whether a definition is acceptable, and
/// what a coupon of it takes off a basket on a channel at an instant.
enum CampaignRules {
    /// Refuses a definition that could not be applied, with `invalid_argument`.
    static func check(_ campaign: Campaign) throws {
        guard (1...64).contains(campaign.campaignId.utf8.count),
              campaign.campaignId.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 }) else {
            throw OmnibusError(.invalidArgument, "campaignId must be 1 to 64 of a-z, 0-9, '-', '_'; got '\(InputCheck.excerpt(campaign.campaignId))'")
        }
        try InputCheck.text(campaign.name, "name")
        try check(campaign.discount)
        for minimum in campaign.minimumBasket ?? [] {
            try InputCheck.currency(minimum.currency)
            guard minimum.amountMinor >= 0 else { throw OmnibusError(.invalidArgument, "a minimum basket cannot be negative") }
            if let amounts = campaign.discount.amounts, !amounts.contains(where: { $0.currency == minimum.currency }) {
                throw OmnibusError(.invalidArgument, "the minimum basket in \(minimum.currency) is in a currency the discount has no amount for")
            }
        }
        if let from = campaign.validFrom, let until = campaign.validUntil, until <= from {
            throw OmnibusError(.invalidArgument, "validUntil (\(until)) must be after validFrom (\(from))")
        }
        if let channels = campaign.channels {
            guard !channels.isEmpty else { throw OmnibusError(.invalidArgument, "channels, when given, must name at least one channel") }
            for channel in channels { try InputCheck.identifier(channel, "channel") }
        }
        for sku in campaign.skus ?? [] { try InputCheck.identifier(sku, "sku") }
        for productId in campaign.productIds ?? [] { try InputCheck.identifier(productId, "productId") }
        guard (campaign.skus?.count ?? 0) + (campaign.productIds?.count ?? 0) <= 1000 else {
            throw OmnibusError(.invalidArgument, "a campaign names at most 1,000 SKUs and products")
        }
        if let budget = campaign.budget, budget < 0 { throw OmnibusError(.invalidArgument, "budget cannot be negative") }
        if let limit = campaign.perCustomerLimit, limit < 1 {
            throw OmnibusError(.invalidArgument, "perCustomerLimit must be at least 1")
        }
        if let code = campaign.sharedCode {
            let normalized = CouponCode.normalize(code)
            guard (4...32).contains(normalized.utf8.count), normalized.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) }) else {
                throw OmnibusError(.invalidArgument, "sharedCode must be 4 to 32 letters and digits; got '\(InputCheck.excerpt(code))'")
            }
            guard campaign.autoIssue?.isEmpty ?? true else {
                throw OmnibusError(.invalidArgument, "a campaign with a shared code issues no personal coupons (autoIssue)")
            }
        }
        for trigger in campaign.autoIssue ?? [] where !AutoIssueTrigger.known.contains(trigger) {
            throw OmnibusError(.invalidArgument, "autoIssue '\(InputCheck.excerpt(trigger.rawValue))' is not one of \(AutoIssueTrigger.known.map(\.rawValue))")
        }
    }

    private static func check(_ discount: Discount) throws {
        switch (discount.percent, discount.amounts) {
        case (let percent?, nil):
            guard (1...100).contains(percent) else {
                throw OmnibusError(.invalidArgument, "discount.percent must be 1 to 100; got \(percent)")
            }
        case (nil, let amounts?):
            guard !amounts.isEmpty else { throw OmnibusError(.invalidArgument, "discount.amounts must name at least one amount") }
            for amount in amounts {
                try InputCheck.currency(amount.currency)
                guard (1...1_000_000_000_000).contains(amount.amountMinor) else {
                    throw OmnibusError(.invalidArgument, "a discount amount must be 1 to 10^12 minor units; got \(amount.amountMinor) \(amount.currency)")
                }
            }
            guard Set(amounts.map(\.currency)).count == amounts.count else {
                throw OmnibusError(.invalidArgument, "discount.amounts lists each currency once")
            }
        default:
            throw OmnibusError(.invalidArgument, "discount must have exactly one of percent and amounts")
        }
    }

    /// Refuses a basket that is not one (`invalid_argument`): no lines, too many, a bad
    /// quantity or price, or several currencies.
    static func check(_ basket: Basket) throws {
        guard (1...CouponsCommand.maxBasketLines).contains(basket.lines.count) else {
            throw OmnibusError(.invalidArgument, "a basket has 1 to \(CouponsCommand.maxBasketLines) lines; got \(basket.lines.count)")
        }
        let currency = basket.lines[0].unitPrice.currency
        try InputCheck.currency(currency)
        for line in basket.lines {
            try InputCheck.identifier(line.sku, "sku")
            if let productId = line.productId { try InputCheck.identifier(productId, "productId") }
            guard (1...999).contains(line.quantity) else {
                throw OmnibusError(.invalidArgument, "quantity of \(line.sku) must be 1 to 999; got \(line.quantity)")
            }
            guard (0...1_000_000_000_000).contains(line.unitPrice.amountMinor) else {
                throw OmnibusError(.invalidArgument, "unitPrice of \(line.sku) must be 0 to 10^12 minor units")
            }
            guard line.unitPrice.amountMinor * Int64(line.quantity) <= 1_000_000_000_000 else {
                throw OmnibusError(.invalidArgument, "a basket line is at most 10^12 minor units; \(line.sku) is more")
            }
            guard line.unitPrice.currency == currency else {
                throw OmnibusError(.invalidArgument, "a basket is in one currency: \(line.sku) is in \(InputCheck.excerpt(line.unitPrice.currency)), the first line in \(currency)")
            }
        }
    }

    /// What a coupon of `campaign` takes off `basket` (checked) on `channel` at `now`, or
    /// why it does not apply. Ownership, earlier use and limits are the caller's to check.
    static func discount(_ campaign: Campaign, on basket: Basket, channel: String?, at now: Timestamp) -> Result<Money, Refusal> {
        guard campaign.isActive else { return .failure(Refusal(.inactive, "the campaign \(campaign.campaignId) is paused")) }
        if let from = campaign.validFrom, now < from {
            return .failure(Refusal(.notYetValid, "the coupon is valid from \(from)"))
        }
        if let until = campaign.validUntil, now >= until {
            return .failure(Refusal(.expired, "the coupon expired at \(until)"))
        }
        if let channels = campaign.channels, !channels.contains(channel ?? "") {
            return .failure(Refusal(.wrongChannel, "the coupon is redeemable on \(channels.joined(separator: ", ")), not on \(channel ?? "an unnamed channel")"))
        }
        let total = basket.total!
        if let minimums = campaign.minimumBasket, !minimums.isEmpty {
            guard let minimum = minimums.first(where: { $0.currency == total.currency }) else {
                return .failure(Refusal(.minimumNotMet, "the coupon has no minimum basket in \(total.currency)"))
            }
            guard total.amountMinor >= minimum.amountMinor else {
                return .failure(Refusal(.minimumNotMet, "the basket totals \(total.amountMinor), below the minimum of \(minimum.amountMinor) \(minimum.currency) (minor units)"))
            }
        }
        let eligible = basket.lines.filter { isEligible($0, for: campaign) }
        let eligibleTotal = eligible.reduce(Int64(0)) { $0 + $1.unitPrice.amountMinor * Int64($1.quantity) }
        guard eligibleTotal > 0 else {
            return .failure(Refusal(.notApplicable, "no line of the basket is eligible for the coupon"))
        }
        if let percent = campaign.discount.percent {
            return .success(Money(amountMinor: eligibleTotal * Int64(percent) / 100, currency: total.currency))
        }
        guard let amount = campaign.discount.amounts?.first(where: { $0.currency == total.currency }) else {
            return .failure(Refusal(.notApplicable, "the coupon has no amount in \(total.currency)"))
        }
        return .success(Money(amountMinor: min(amount.amountMinor, eligibleTotal), currency: total.currency))
    }

    private static func isEligible(_ line: BasketLine, for campaign: Campaign) -> Bool {
        if campaign.skus == nil && campaign.productIds == nil { return true }
        if campaign.skus?.contains(line.sku) == true { return true }
        if let productId = line.productId, campaign.productIds?.contains(productId) == true { return true }
        return false
    }
}
