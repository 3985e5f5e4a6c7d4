import GRDB
import OmnibusService

/// The notifications service's tables. Append-only: a shipped migration is never edited.
enum NotificationsMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifications-v1") { db in
            // What identity said about reaching the customer: personal data, erased with them.
            try db.create(table: "contact") { table in
                table.primaryKey("customerId", .text)
                table.column("locale", .text)
                table.column("preferredChannel", .text)
            }
            try db.create(table: "contactConsent") { table in
                table.column("customerId", .text).notNull()
                table.column("purpose", .text).notNull()
                table.column("channel", .text).notNull()
                table.column("granted", .boolean).notNull()
                table.primaryKey(["customerId", "purpose", "channel"])
            }
            try db.create(table: "contactAddress") { table in
                table.column("customerId", .text).notNull().indexed()
                table.column("kind", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["kind", "value"])
            }
            try db.create(table: "notification") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).indexed()
                table.column("ruleId", .text).notNull()
                table.column("purpose", .text).notNull()
                table.column("channel", .text)
                table.column("locale", .text).notNull()
                table.column("subject", .text)
                table.column("body", .text)
                table.column("status", .text).notNull()
                table.column("reason", .text)
                table.column("causedBy", .text).notNull()
                table.column("createdAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            // Never twice: one notification per event and rule, whatever replays.
            try db.create(index: "notificationOnce", on: "notification", columns: ["causedBy", "ruleId"], unique: true)
            try KnownCustomers.createTables(in: db)
        }
    }
}
