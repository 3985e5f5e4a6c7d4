import GRDB
import OmnibusContracts
import OmnibusService

/// `coupons.campaign.*`: campaigns are defined from the back office (or the seed file) and
/// read by everyone.
enum Campaigns {
    static func register(in registry: inout CommandRegistry) {
        registry.register(UpsertCampaign.self) { input, context in
            guard let channel = context.channel, CouponsCommand.campaignChannels.contains(channel) else {
                throw OmnibusError(.forbidden, "campaigns are changed from \(CouponsCommand.campaignChannels.sorted().joined(separator: ", ")) only")
            }
            return try upsert(input.campaign, emitter: context)
        }
        registry.register(GetCampaign.self) { input, context in
            try view(try campaign(input.campaignId, in: context.db), in: context.db)
        }
        registry.register(ListCampaigns.self) { _, context in
            let records = try CampaignRecord.order(Column("id")).fetchAll(context.db)
            return CampaignList(campaigns: try records.map { try view(try $0.campaign(), in: context.db) })
        }
    }

    /// Creates or replaces a campaign (checked) and announces it.
    static func upsert(_ campaign: Campaign, emitter: some EventEmitting) throws -> CampaignView {
        try CampaignRules.check(campaign)
        let db = emitter.db
        var stored = campaign
        stored.sharedCode = campaign.sharedCode.map(CouponCode.normalize)
        if let code = stored.sharedCode,
           let holder = try String.fetchOne(db, sql: "SELECT id FROM campaign WHERE sharedCode = ? AND id <> ?", arguments: [code, campaign.campaignId]) {
            throw OmnibusError(.conflict, "the shared code \(code) belongs to the campaign \(holder)")
        }
        if stored.sharedCode != nil, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM coupon WHERE campaignId = ?", arguments: [campaign.campaignId])! > 0 {
            throw OmnibusError(.conflict, "the campaign \(campaign.campaignId) has issued personal coupons; it cannot switch to a shared code")
        }
        try db.execute(sql: """
            INSERT INTO campaign (id, definition, sharedCode, updatedAt) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, sharedCode = excluded.sharedCode, updatedAt = excluded.updatedAt
            """, arguments: [stored.campaignId, try ContractCoding.encode(stored), stored.sharedCode, Timestamp.now().millisecondsSince1970])
        try emitter.emit(CouponsEvent.CampaignUpserted(stored))
        return try view(stored, in: db)
    }

    /// Loads `seed` into an empty campaign table; false when campaigns already exist.
    static func loadSeed(_ seed: CampaignSeed, emitter: some EventEmitting) throws -> Bool {
        guard try CampaignRecord.fetchCount(emitter.db) == 0 else { return false }
        for campaign in seed.campaigns { _ = try upsert(campaign, emitter: emitter) }
        return true
    }

    /// The campaign, or `not_found`.
    static func campaign(_ id: String, in db: Database) throws -> Campaign {
        guard let record = try CampaignRecord.find(id, in: db) else {
            throw OmnibusError(.notFound, "no campaign '\(InputCheck.excerpt(id))'")
        }
        return try record.campaign()
    }

    static func view(_ campaign: Campaign, in db: Database) throws -> CampaignView {
        let issued = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM coupon WHERE campaignId = ?", arguments: [campaign.campaignId]) ?? 0
        let now = Timestamp.now().millisecondsSince1970
        let reserved = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM redemption WHERE campaignId = ? AND state = 'reserved' AND expiresAt > ?
            """, arguments: [campaign.campaignId, now]) ?? 0
        let redeemed = try Int.fetchOne(db, sql: "SELECT redeemedCount FROM campaign WHERE id = ?", arguments: [campaign.campaignId]) ?? 0
        return CampaignView(campaign: campaign, issued: issued, reserved: reserved, redeemed: redeemed)
    }
}
