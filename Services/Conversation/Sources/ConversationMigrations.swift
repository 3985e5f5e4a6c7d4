import GRDB
import OmnibusService

/// The conversation service's tables. Append-only: a shipped migration is never edited.
enum ConversationMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("conversation-v1") { db in
            try db.create(table: "touchpoint") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).notNull().indexed()
                table.column("at", .integer).notNull()
                table.column("body", .blob).notNull()
            }
            // One conversation per customer, across every channel.
            try db.create(table: "conversation") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).notNull().unique()
                table.column("startedAt", .integer).notNull()
            }
            try db.create(table: "message") { table in
                table.primaryKey("id", .text)
                table.column("conversationId", .text).indexed()
                // NULL while its sender's identifier is not yet linked to a customer.
                table.column("customerId", .text).indexed()
                table.column("identifierKind", .text)
                table.column("identifierValue", .text)
                table.column("channel", .text)
                table.column("direction", .text).notNull()
                table.column("text", .text)
                table.column("author", .text)
                table.column("caseId", .text).indexed()
                table.column("isPublic", .boolean)
                table.column("at", .integer).notNull()
            }
            try db.create(index: "messageByIdentifier", on: "message", columns: ["identifierKind", "identifierValue"])
            try db.create(virtualTable: "messageSearch", using: FTS5()) { table in
                table.column("text")
                table.column("messageId").notIndexed()
            }
            try db.create(table: "supportCase") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).indexed()
                table.column("subject", .text)
                table.column("status", .text).notNull()
                table.column("priority", .text).notNull()
                table.column("assignee", .text)
                table.column("followUpChannel", .text)
                table.column("orderIds", .blob).notNull()
                table.column("channel", .text)
                table.column("openedAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "caseEntry") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("caseId", .text).notNull().indexed()
                table.column("kind", .text).notNull()
                table.column("channel", .text)
                table.column("at", .integer).notNull()
                table.column("messageId", .text)
                table.column("detail", .text)
            }
            // Identifiers identity linked, for messages that name their sender by one.
            try db.create(table: "knownIdentifier") { table in
                table.column("kind", .text).notNull()
                table.column("value", .text).notNull()
                table.column("customerId", .text).notNull().indexed()
                table.primaryKey(["kind", "value"])
            }
            // Other services' events about a customer, as received, for the context fold.
            try db.create(table: "contextEvent") { table in
                table.column("source", .text).notNull()
                table.column("sequence", .integer).notNull()
                table.column("customerId", .text).notNull().indexed()
                table.column("envelope", .blob).notNull()
                table.primaryKey(["source", "sequence"])
            }
            try KnownCustomers.createTables(in: db)
        }
        // The conversation log positions the shared CustomerView keeps of a case (its
        // `openedSequence` and `asOf`), for the snapshot: the sequence of the case's
        // `case.opened` and of its latest case event. NULL for cases opened or changed before
        // this migration (the snapshot serves 0 for them: older than anything after).
        migrator.registerMigration("conversation-v2-case-sequences") { db in
            try db.alter(table: "supportCase") { table in
                table.add(column: "openedSequence", .integer)
                table.add(column: "changedSequence", .integer)
            }
        }
    }
}
