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
        migrator.registerMigration("notifications-v2-delivery") { db in
            // The outbox of deliveries: a queued or deferred notification waits until dueAt;
            // attempts count tries (the delivery id, the notification's, never changes).
            try db.alter(table: "notification") { table in
                table.add(column: "address", .text)
                table.add(column: "attempts", .integer).notNull().defaults(to: 0)
                table.add(column: "dueAt", .integer)
                table.add(column: "sentAt", .integer)
                // Set while a try is out (between claim and record); a start finds it set
                // only when the process died in between, and sends again.
                table.add(column: "claimedAt", .integer)
            }
            try db.create(index: "notificationDue", on: "notification", columns: ["dueAt"], condition: Column("dueAt") != nil)
            try db.create(index: "notificationSentMarketing", on: "notification", columns: ["customerId", "sentAt"],
                          condition: Column("purpose") == "marketing" && Column("sentAt") != nil)
            try db.alter(table: "contact") { table in
                table.add(column: "quietHours", .text)
            }
            // Durable timers of delayed and idle rules: one per rule and event (delay), or per
            // rule and customer (idle: a new trigger restarts it).
            try db.create(table: "ruleTimer") { table in
                table.primaryKey("timerKey", .text)
                table.column("ruleId", .text).notNull()
                table.column("customerId", .text).notNull().indexed()
                table.column("causedBy", .text).notNull()
                table.column("data", .text).notNull()
                table.column("dueAt", .integer).notNull().indexed()
            }
        }
        migrator.registerMigration("notifications-v3-snapshot") { db in
            // Where each notification stands in the service's own log, for the snapshot
            // (NotificationLogSnapshot): the sequences of its first and latest status events,
            // and the status and reason that latest event said — the row's status and reason
            // also change without an event (a retry waiting, an adapter configured at start).
            // NULL on rows written before this migration: the snapshot serves 0 and the row's
            // own status and reason for them.
            try db.alter(table: "notification") { table in
                table.add(column: "firstSequence", .integer)
                table.add(column: "lastSequence", .integer)
                table.add(column: "lastStatus", .text)
                table.add(column: "lastReason", .text)
            }
        }
    }
}
