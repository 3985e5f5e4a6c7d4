import GRDB
import OmnibusContracts
import OmnibusService

/// Coupons a campaign's rule issues by itself (`autoIssue`), on the channel `auto`.
enum AutoIssue {
    /// The channel recorded on coupons a campaign rule issued.
    static let channel = "auto"

    /// Issues `customerId` (mapped through merges; nothing for an erased one) a coupon of
    /// every running personal-code campaign whose rule names `trigger`.
    static func issue(_ trigger: AutoIssueTrigger, to customerId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customer = try liveCustomer(customerId, in: db) else { return }
        let now = Timestamp.now()
        for record in try CampaignRecord.order(Column("id")).fetchAll(db) {
            let campaign = try record.campaign()
            guard campaign.autoIssue?.contains(trigger) == true, campaign.isActive, campaign.sharedCode == nil,
                  campaign.validUntil.map({ now < $0 }) ?? true else { continue }
            _ = try Coupons.issue(campaign, to: customer, channel: channel, emitter: emitter)
        }
    }

    /// The customer `id` stands for after merges, or nil when malformed or erased.
    static func liveCustomer(_ id: String, in db: Database) throws -> String? {
        guard let customer = try KnownCustomers.live(id, in: db), KnownCustomers.isWellFormed(customer) else { return nil }
        return customer
    }
}
