import GRDB
import OmnibusService

/// The coupons service's tables. Append-only: a shipped migration is never edited.
enum CouponsMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("coupons-v1") { db in
            try db.create(table: "campaign") { table in
                table.primaryKey("id", .text)
                table.column("definition", .blob).notNull()
                // Normalised; unique so a typed code finds one campaign.
                table.column("sharedCode", .text).unique()
                // Redemptions confirmed, kept as a count so a budget check does not scan them all.
                table.column("redeemedCount", .integer).notNull().defaults(to: 0)
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "coupon") { table in
                table.primaryKey("code", .text)
                table.column("campaignId", .text).notNull().indexed().references("campaign")
                table.column("customerId", .text).notNull().indexed()
                table.column("issuedChannel", .text)
                table.column("issuedAt", .integer).notNull()
            }
            // A reservation or a redemption; released rows stay, for the history.
            try db.create(table: "redemption") { table in
                table.primaryKey("id", .text)
                table.column("code", .text).notNull()
                table.column("campaignId", .text).notNull().references("campaign")
                // NULL once the customer is erased: the row still counts for the budget.
                table.column("customerId", .text)
                table.column("state", .text).notNull()
                table.column("discountMinor", .integer).notNull()
                table.column("currency", .text).notNull()
                table.column("channel", .text)
                table.column("checkoutId", .text)
                table.column("orderId", .text)
                table.column("expiresAt", .integer)
                table.column("releaseReason", .text)
                table.column("createdAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(index: "redemptionByCode", on: "redemption", columns: ["code", "state"])
            try db.create(index: "redemptionByCampaign", on: "redemption", columns: ["campaignId", "state"])
            try db.create(index: "redemptionByCustomer", on: "redemption", columns: ["customerId", "campaignId", "state"])
            try db.create(index: "redemptionByExpiry", on: "redemption", columns: ["state", "expiresAt"])
            try db.create(index: "redemptionByOrder", on: "redemption", columns: ["orderId"])
            // Customers seen placing an order, for campaigns issued on a first order.
            try db.create(table: "orderingCustomer") { table in
                table.primaryKey("customerId", .text)
            }
            try KnownCustomers.createTables(in: db)
        }
        // Where the events the customer view folds sit in the log, for the snapshot
        // (WalletSnapshot.swift). NULL on rows written before: served as 0.
        migrator.registerMigration("coupons-v2-event-positions") { db in
            try db.alter(table: "coupon") { table in
                // The sequence of its `coupon.issued`.
                table.add(column: "issuedSequence", .integer)
                // The campaign's end as `coupon.issued` carried it (the campaign may change since).
                table.add(column: "validUntil", .integer)
            }
            try db.alter(table: "redemption") { table in
                // The sequence of the event announcing its current state.
                table.add(column: "stateSequence", .integer)
            }
        }
    }
}
