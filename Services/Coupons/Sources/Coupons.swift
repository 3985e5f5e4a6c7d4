import GRDB
import OmnibusContracts
import OmnibusService

/// A typed code found: the normalised code, its campaign, and for a personal code its owner.
struct LocatedCode {
    var code: String
    var campaign: Campaign
    /// Nil for a campaign's shared code.
    var owner: String?
}

/// `coupons.coupon.issue` and `coupons.wallet.get`: personal coupons, and finding the coupon
/// a typed code stands for.
enum Coupons {
    static func register(in registry: inout CommandRegistry) {
        registry.register(IssueCoupon.self) { input, context in
            guard let channel = context.channel, CouponsCommand.issueChannels.contains(channel) else {
                throw OmnibusError(.forbidden, "coupons are issued from \(CouponsCommand.issueChannels.sorted().joined(separator: ", ")) only")
            }
            let customerId = try KnownCustomers.current(input.customerId, in: context.db)
            let campaign = try Campaigns.campaign(input.campaignId, in: context.db)
            return try issue(campaign, to: customerId, channel: channel, emitter: context)
        }
        registry.register(GetWallet.self) { input, context in
            let customerId = try KnownCustomers.current(input.customerId, in: context.db)
            let records = try CouponRecord.filter(Column("customerId") == customerId)
                .order(Column("issuedAt").desc, Column.rowID.desc).fetchAll(context.db)
            return Wallet(customerId: customerId, coupons: try records.map { try view($0, in: context.db) })
        }
    }

    /// Gives `customerId` a new personal coupon of `campaign` and announces it.
    static func issue(_ campaign: Campaign, to customerId: String, channel: String?, emitter: some EventEmitting) throws -> CouponView {
        guard campaign.sharedCode == nil else {
            throw OmnibusError(.conflict, "the campaign \(campaign.campaignId) has the shared code \(campaign.sharedCode!); it issues no personal coupons")
        }
        guard campaign.isActive else { throw OmnibusError(.conflict, "the campaign \(campaign.campaignId) is paused") }
        if let until = campaign.validUntil, Timestamp.now() >= until {
            throw OmnibusError(.conflict, "the campaign \(campaign.campaignId) ended at \(until)")
        }
        let db = emitter.db
        var code = CouponCode.generate()
        while try CouponRecord.exists(db, key: code) { code = CouponCode.generate() }
        // Announced first, so the row is written once, with its event's position.
        let sequence = try emitter.emit(CouponsEvent.CouponIssued(code: code, campaignId: campaign.campaignId, customerId: customerId,
                                                                  channel: channel, validUntil: campaign.validUntil),
                                        customerId: customerId)
        let record = CouponRecord(code: code, campaignId: campaign.campaignId, customerId: customerId, issuedChannel: channel,
                                  issuedAt: Timestamp.now().millisecondsSince1970, issuedSequence: sequence,
                                  validUntil: campaign.validUntil?.millisecondsSince1970)
        try record.insert(db)
        return try view(record, in: db)
    }

    /// The coupon as channels show it, with the redemption holding it, if any.
    static func view(_ record: CouponRecord, in db: Database) throws -> CouponView {
        let campaign = try Campaigns.campaign(record.campaignId, in: db)
        let now = Timestamp.now()
        let holding = try Redemptions.holding(record.code, at: now.millisecondsSince1970, in: db)
        let state: CouponState = switch holding?.state {
        case .redeemed: .redeemed
        case .reserved: .reserved
        default: campaign.validUntil.map { now >= $0 } == true ? .expired : .issued
        }
        return CouponView(
            code: record.code, campaignId: campaign.campaignId, campaignName: campaign.name,
            customerId: record.customerId, state: state, discount: campaign.discount, validFrom: campaign.validFrom,
            validUntil: campaign.validUntil, channels: campaign.channels, issuedChannel: record.issuedChannel,
            issuedAt: Timestamp(millisecondsSince1970: record.issuedAt), redemption: holding?.redemption)
    }

    /// The coupon `typed` stands for: a campaign's shared code, else a personal code, else
    /// why not (`unknown_code`, `mistyped_code`). A code longer than
    /// ``CouponsCommand/maxCodeBytes`` is `invalid_argument` before any lookup.
    static func locate(_ typed: String, in db: Database) throws -> Result<LocatedCode, Refusal> {
        guard typed.utf8.count <= CouponsCommand.maxCodeBytes else {
            throw OmnibusError(.invalidArgument, "a coupon code is at most \(CouponsCommand.maxCodeBytes) bytes; got \(typed.utf8.count)")
        }
        let normalized = CouponCode.normalize(typed)
        if let record = try CampaignRecord.find(sharedCode: normalized, in: db) {
            return .success(LocatedCode(code: normalized, campaign: try record.campaign(), owner: nil))
        }
        switch CouponCode.classify(normalized) {
        case .mistyped:
            return .failure(Refusal(.mistypedCode, "\(InputCheck.excerpt(typed)) is not a valid code: a character was mistyped"))
        case .other:
            return .failure(Refusal(.unknownCode, "no coupon has the code \(InputCheck.excerpt(typed))"))
        case .personal(let code):
            guard let coupon = try CouponRecord.find(code, in: db) else {
                return .failure(Refusal(.unknownCode, "no coupon has the code \(CouponCode.formatted(code))"))
            }
            return .success(LocatedCode(code: code, campaign: try Campaigns.campaign(coupon.campaignId, in: db), owner: coupon.customerId))
        }
    }
}
