import GRDB
import OmnibusService

/// The identity service's tables. Append-only: a shipped migration is never edited.
enum IdentityMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("identity-v1") { db in
            try db.create(table: "customer") { table in
                table.primaryKey("id", .text)
                table.column("status", .text).notNull()
                table.column("displayName", .text)
                table.column("locale", .text)
                table.column("preferredChannel", .text)
                table.column("quietHoursStart", .text)
                table.column("quietHoursEnd", .text)
                table.column("quietHoursTimeZone", .text)
                // Always the final survivor (merges compress chains), so lookups take one hop.
                table.column("mergedInto", .text).indexed()
                table.column("createdAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "identifier") { table in
                table.column("kind", .text).notNull()
                table.column("value", .text).notNull()
                table.column("customerId", .text).notNull().indexed()
                table.column("channel", .text)
                table.column("verified", .boolean).notNull()
                table.column("linkedAt", .integer).notNull()
                table.primaryKey(["kind", "value"])
            }
            try db.create(table: "consent") { table in
                table.column("customerId", .text).notNull()
                table.column("purpose", .text).notNull()
                table.column("channel", .text).notNull()
                table.column("granted", .boolean).notNull()
                table.column("changedAt", .integer).notNull()
                table.column("source", .text).notNull()
                table.primaryKey(["customerId", "purpose", "channel"])
            }
        }
    }
}
