import GRDB
import OmnibusContracts
import OmnibusService

/// `coupons.coupon.validate|reserve|redeem` and `coupons.redemption.confirm|release`.
///
/// A code is redeemed at most once, and budgets and per-customer limits are never exceeded,
/// because a service runs its commands one after another, each in one transaction that
/// checks what holds the coupon and writes its own hold: two tills sending the same code at
/// the same instant are two commands in sequence, and the second sees the first's row.
enum Redemptions {
    static func register(in registry: inout CommandRegistry, defaultHoldSeconds: Int) {
        registry.register(ValidateCoupon.self) { input, context in
            try CampaignRules.check(input.basket)
            let customerId = try KnownCustomers.current(input.customerId, in: context.db)
            let now = Timestamp.now()
            switch try evaluate(input.code, for: customerId, basket: input.basket, channel: context.channel, at: now, in: context.db) {
            case .success(let (located, discount)):
                return CouponValidation(code: located.code, valid: true, discount: discount, reason: nil,
                                        message: "takes \(discount.amountMinor) \(discount.currency) (minor units) off", campaignId: located.campaign.campaignId)
            case .failure(let refusal):
                return CouponValidation(code: InputCheck.excerpt(input.code), valid: false, discount: nil, reason: refusal.reason,
                                        message: refusal.message, campaignId: nil)
            }
        }
        registry.register(ReserveCoupon.self) { input, context in
            let hold = input.holdSeconds ?? defaultHoldSeconds
            guard (1...CouponsCommand.maxHoldSeconds).contains(hold) else {
                throw OmnibusError(.invalidArgument, "holdSeconds must be 1 to \(CouponsCommand.maxHoldSeconds); got \(hold)")
            }
            if let checkoutId = input.checkoutId {
                try InputCheck.identifier(checkoutId, "checkoutId")
                // The same checkout asking again (a retried step with a new request id) gets its hold back.
                if let held = try RedemptionRecord.filter(Column("checkoutId") == checkoutId && Column("code") == CouponCode.normalize(input.code)
                                                          && Column("state") == RedemptionState.reserved.rawValue).fetchOne(context.db),
                   held.holds(at: Timestamp.now().millisecondsSince1970) {
                    return held.redemption
                }
            }
            return try use(input.code, customerId: input.customerId, basket: input.basket, checkoutId: input.checkoutId,
                           orderId: nil, holdSeconds: hold, context: context)
        }
        registry.register(RedeemCoupon.self) { input, context in
            if let orderId = input.orderId { try InputCheck.identifier(orderId, "orderId") }
            return try use(input.code, customerId: input.customerId, basket: input.basket, checkoutId: nil,
                           orderId: input.orderId, holdSeconds: nil, context: context)
        }
        registry.register(ConfirmRedemption.self) { input, context in
            if let orderId = input.orderId { try InputCheck.identifier(orderId, "orderId") }
            return try confirm(try record(input.redemptionId, in: context.db), orderId: input.orderId, context: context)
        }
        registry.register(ReleaseRedemption.self) { input, context in
            try release(try record(input.redemptionId, in: context.db), reason: input.reason, emitter: context)
        }
    }

    /// What `typed` takes off `basket` for `customerId` on `channel` at `now`, or the first
    /// reason it does not: the code, its owner, its earlier use, the campaign's rules, the
    /// customer's limit, the budget. `excluding` leaves one redemption out of the counts (the
    /// reservation being confirmed).
    static func evaluate(_ typed: String, for customerId: String, basket: Basket, channel: String?, at now: Timestamp,
                         excluding: String? = nil, in db: Database) throws -> Result<(LocatedCode, Money), Refusal> {
        let located: LocatedCode
        switch try Coupons.locate(typed, in: db) {
        case .success(let found): located = found
        case .failure(let refusal): return .failure(refusal)
        }
        let campaign = located.campaign
        let nowMillis = now.millisecondsSince1970
        if let owner = located.owner {
            guard owner == customerId else {
                return .failure(Refusal(.wrongCustomer, "the coupon \(CouponCode.formatted(located.code)) belongs to another customer"))
            }
            if let holder = try holding(located.code, at: nowMillis, excluding: excluding, in: db) {
                return .failure(holder.state == .redeemed
                    ? Refusal(.alreadyRedeemed, "the coupon \(CouponCode.formatted(located.code)) was already redeemed")
                    : Refusal(.reserved, "the coupon \(CouponCode.formatted(located.code)) is held by another checkout"))
            }
        }
        let discount: Money
        switch CampaignRules.discount(campaign, on: basket, channel: channel, at: now) {
        case .success(let amount): discount = amount
        case .failure(let refusal): return .failure(refusal)
        }
        if let limit = campaign.perCustomerLimit,
           try count(campaign: campaign.campaignId, customer: customerId, at: nowMillis, excluding: excluding, in: db) >= limit {
            return .failure(Refusal(.customerLimitReached, "the customer has used this campaign's coupons \(limit) time(s), its limit"))
        }
        if let budget = campaign.budget,
           try count(campaign: campaign.campaignId, customer: nil, at: nowMillis, excluding: excluding, in: db) >= budget {
            return .failure(Refusal(.budgetExhausted, "the campaign \(campaign.campaignId) has no redemptions left"))
        }
        return .success((located, discount))
    }

    /// Reserves (with `holdSeconds`) or redeems (without) `typed` for the customer, or throws the refusal.
    private static func use(_ typed: String, customerId: String, basket: Basket, checkoutId: String?, orderId: String?,
                            holdSeconds: Int?, context: CommandContext) throws -> Redemption {
        try CampaignRules.check(basket)
        let customerId = try KnownCustomers.current(customerId, in: context.db)
        let now = Timestamp.now()
        _ = try releaseLapsed(at: now.millisecondsSince1970, code: CouponCode.normalize(typed), emitter: context)
        let (located, discount) = try evaluate(typed, for: customerId, basket: basket, channel: context.channel, at: now, in: context.db)
            .mapError(\.error).get()
        let millis = now.millisecondsSince1970
        var record = RedemptionRecord(
            id: "red_" + randomSuffix(), code: located.code, campaignId: located.campaign.campaignId, customerId: customerId,
            state: holdSeconds == nil ? .redeemed : .reserved, discountMinor: discount.amountMinor, currency: discount.currency,
            channel: context.channel, checkoutId: checkoutId, orderId: orderId,
            expiresAt: holdSeconds.map { millis + Int64($0) * 1000 }, releaseReason: nil, createdAt: millis, updatedAt: millis,
            stateSequence: nil)
        if record.state == .redeemed { try countRedeemed(1, campaign: record.campaignId, in: context.db) }
        return try announce(&record, inserting: true, emitter: context)
    }

    private static func confirm(_ stored: RedemptionRecord, orderId: String?, context: CommandContext) throws -> Redemption {
        switch (stored.state, stored.releaseReason) {
        case (.redeemed, _):
            return stored.redemption
        case (.released, let reason) where reason != .expired:
            throw OmnibusError(.conflict, "the redemption \(stored.id) was released (\(reason?.rawValue ?? "released")); reserve the coupon again")
        default:
            break
        }
        // A lapsed hold is confirmed only if nothing else took the coupon meanwhile.
        let now = Timestamp.now()
        if stored.expiresAt.map({ $0 <= now.millisecondsSince1970 }) ?? false {
            let campaign = try Campaigns.campaign(stored.campaignId, in: context.db)
            let owner = try CouponRecord.fetchOne(context.db, key: stored.code)?.customerId
            if let owner, owner != stored.customerId {
                throw Refusal(.wrongCustomer, "the coupon now belongs to another customer").error
            }
            if let holder = try holding(stored.code, at: now.millisecondsSince1970, excluding: stored.id, in: context.db), campaign.sharedCode == nil {
                throw Refusal(holder.state == .redeemed ? .alreadyRedeemed : .reserved, "the reservation lapsed and the coupon was taken meanwhile").error
            }
            var limits = [(campaign.budget, nil as String?, CouponRefusal.budgetExhausted)]
            if let customerId = stored.customerId { limits.append((campaign.perCustomerLimit, customerId, .customerLimitReached)) }
            for (limit, customer, reason) in limits {
                if let limit, try count(campaign: campaign.campaignId, customer: customer, at: now.millisecondsSince1970, excluding: stored.id, in: context.db) >= limit {
                    throw Refusal(reason, "the reservation lapsed and the campaign's limit was reached meanwhile").error
                }
            }
        }
        var record = stored
        record.state = .redeemed
        record.orderId = orderId ?? stored.orderId
        record.expiresAt = nil
        record.releaseReason = nil
        record.updatedAt = now.millisecondsSince1970
        try countRedeemed(1, campaign: record.campaignId, in: context.db)
        return try announce(&record, emitter: context)
    }

    private static func release(_ stored: RedemptionRecord, reason: ReleaseReason?, emitter: some EventEmitting) throws -> Redemption {
        var record = stored
        switch stored.state {
        case .released:
            return stored.redemption
        case .reserved:
            record.releaseReason = reason ?? .checkoutFailed
        case .redeemed:
            let campaign = try Campaigns.campaign(stored.campaignId, in: emitter.db)
            guard campaign.returnOnCancel ?? true else {
                throw OmnibusError(.conflict, "the campaign \(campaign.campaignId) does not give coupons back once redeemed")
            }
            record.releaseReason = reason ?? .orderCancelled
            try countRedeemed(-1, campaign: stored.campaignId, in: emitter.db)
        }
        record.state = .released
        record.updatedAt = Timestamp.now().millisecondsSince1970
        return try announce(&record, emitter: emitter)
    }

    /// Gives back the coupon redeemed for `orderId`, if any and if its campaign returns
    /// coupons on cancel (`returnOnCancel`); otherwise it stays redeemed.
    static func orderCancelled(_ orderId: String, emitter: some EventEmitting) throws {
        let redeemed = try RedemptionRecord.filter(Column("orderId") == orderId && Column("state") == RedemptionState.redeemed.rawValue)
            .fetchAll(emitter.db)
        for record in redeemed where try Campaigns.campaign(record.campaignId, in: emitter.db).returnOnCancel ?? true {
            _ = try release(record, reason: .orderCancelled, emitter: emitter)
        }
    }

    /// Releases reservations that lapsed by `now` (of `code` only, when given), each
    /// announced as `coupon.released` with reason `expired`. Returns how many.
    static func releaseLapsed(at now: Int64, code: String? = nil, limit: Int = 500, emitter: some EventEmitting) throws -> Int {
        var request = RedemptionRecord.filter(Column("state") == RedemptionState.reserved.rawValue && Column("expiresAt") <= now)
        if let code { request = request.filter(Column("code") == code) }
        let lapsed = try request.limit(limit).fetchAll(emitter.db)
        for var record in lapsed {
            record.state = .released
            record.releaseReason = .expired
            record.updatedAt = now
            _ = try announce(&record, emitter: emitter)
        }
        return lapsed.count
    }

    /// The redemption holding personal `code` at `now` (redeemed, or reserved and not lapsed).
    static func holding(_ code: String, at now: Int64, excluding: String? = nil, in db: Database) throws -> RedemptionRecord? {
        try RedemptionRecord.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM redemption WHERE code = ? AND (state = 'redeemed' OR (state = 'reserved' AND expiresAt > ?)) AND id <> ?
            """), arguments: [code, now, excluding ?? ""])
    }

    /// Redemptions of `campaign` holding a coupon at `now`, of one customer or of all. For
    /// all, the confirmed ones come from the campaign's count and only live reservations
    /// are counted row by row, so a budget check costs the same after a million redemptions.
    private static func count(campaign: String, customer: String?, at now: Int64, excluding: String?, in db: Database) throws -> Int {
        if let customer {
            return try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM redemption
                WHERE customerId = ? AND campaignId = ? AND (state = 'redeemed' OR (state = 'reserved' AND expiresAt > ?)) AND id <> ?
                """), arguments: [customer, campaign, now, excluding ?? ""]) ?? 0
        }
        let reserved = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM redemption WHERE campaignId = ? AND state = 'reserved' AND expiresAt > ? AND id <> ?
            """), arguments: [campaign, now, excluding ?? ""]) ?? 0
        let redeemed = try Int.fetchOne(db.cachedStatement(sql: "SELECT redeemedCount FROM campaign WHERE id = ?"), arguments: [campaign]) ?? 0
        return reserved + redeemed
    }

    /// Keeps the campaign's count of confirmed redemptions as one leaves or enters that state.
    private static func countRedeemed(_ delta: Int, campaign: String, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE campaign SET redeemedCount = redeemedCount + ? WHERE id = ?").execute(arguments: [delta, campaign])
    }

    private static func record(_ id: String, in db: Database) throws -> RedemptionRecord {
        guard let record = try RedemptionRecord.fetchOne(db, key: id) else {
            throw OmnibusError(.notFound, "no redemption '\(InputCheck.excerpt(id))'")
        }
        return record
    }

    /// Announces `record`'s state, then writes it (inserted when new, else updated) with that
    /// event's position as `stateSequence`: one write per change, as before positions were kept.
    private static func announce(_ record: inout RedemptionRecord, inserting: Bool = false, emitter: some EventEmitting) throws -> Redemption {
        let redemption = record.redemption
        record.stateSequence = try emitter.emit(CouponsEvent.redemptionEvent(redemption), customerId: record.customerId)
        if inserting { try record.insert(emitter.db) } else { try record.update(emitter.db) }
        return redemption
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let part = String(generator.next() as UInt64, radix: 36)
            return String(repeating: "0", count: 13 - part.count) + part
        }.joined()
    }
}
