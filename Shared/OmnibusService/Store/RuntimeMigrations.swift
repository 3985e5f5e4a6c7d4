import GRDB

/// The tables every service has besides its own: the outbox (its event log), inbox offsets,
/// stored command replies, dead letters and the relay's cursor.
///
/// Migrations are append-only: once shipped, a migration is never edited; a change is a new one.
enum RuntimeMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("omnibus-runtime-v1") { db in
            try db.create(table: "outbox") { table in
                table.primaryKey("sequence", .integer)
                table.column("eventId", .text).notNull()
                table.column("type", .text).notNull()
                table.column("customerId", .text).indexed()  // partial since v3
                table.column("envelope", .blob).notNull()
                table.column("recordedAt", .integer).notNull()
            }
            try db.create(table: "relayCursor") { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("publishedThrough", .integer).notNull()
            }
            try db.create(table: "inboxOffset") { table in
                table.primaryKey("source", .text)
                table.column("appliedThrough", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "commandReply") { table in
                table.primaryKey("requestId", .text)
                table.column("command", .text).notNull()
                table.column("reply", .blob).notNull()
                table.column("recordedAt", .integer).notNull().indexed()
            }
            try db.create(table: "deadLetter") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("source", .text).notNull()
                table.column("sequence", .integer)
                table.column("eventId", .text)
                table.column("type", .text)
                table.column("reason", .text).notNull()
                table.column("envelope", .blob).notNull()
                table.column("recordedAt", .integer).notNull()
            }
        }
        migrator.registerMigration("omnibus-runtime-v2-erasure") { db in
            // Requests to empty the WAL after an erasure (see Erasure).
            try db.create(table: "compactionRequest") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("requestedAt", .integer).notNull()
            }
        }
        migrator.registerMigration("omnibus-runtime-v3-partial-customer-index") { db in
            // Only erasure looks events up by customer; events without one (catalog, stock,
            // campaigns) need no entry, and every append no longer pays for one.
            try db.execute(sql: """
                DROP INDEX outbox_on_customerId;
                CREATE INDEX outbox_on_customerId ON outbox(customerId) WHERE customerId IS NOT NULL;
                """)
        }
        migrator.registerMigration("omnibus-runtime-v4-service-starts") { db in
            // Process starts, for `service.health` to show a crash loop (see ServiceStarts).
            try db.create(table: "serviceStart") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("startedAt", .integer).notNull().indexed()
            }
        }
        migrator.registerMigration("omnibus-runtime-v5-reply-principal") { db in
            // Who sent the request a stored reply answers (with CURVE): another principal's
            // request with the same id gets `conflict`, never that reply (see CommandServer).
            try db.alter(table: "commandReply") { table in
                table.add(column: "principal", .text)
            }
        }
        migrator.registerMigration("omnibus-runtime-v6-event-log-size") { db in
            // The log's envelope bytes, counted as events are appended and removed, so that
            // retention by size never sums the whole log (see Outbox.trim).
            try db.create(table: "eventLogSize") { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("bytes", .integer).notNull()
                table.column("countedThrough", .integer).notNull()
            }
        }
        migrator.registerMigration("omnibus-runtime-v7-log-epoch") { db in
            // Which life of the event log this is; a restore from a backup starts a new one
            // (see LogEpochs), so subscribers can tell reused sequence numbers apart.
            try db.create(table: "logEpoch") { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("epoch", .text).notNull()
                table.column("startsAfter", .integer).notNull()
            }
            try LogEpochs.begin(after: 0, in: db)
            try db.alter(table: "inboxOffset") { table in
                table.add(column: "epoch", .text)
            }
        }
        migrator.registerMigration("omnibus-runtime-v8-pending-request-owner") { db in
            // Who sent a request whose reply is deferred (with CURVE), until the reply is
            // stored with that principal: meanwhile another principal's request with the same
            // id gets `conflict`, never a wait for that reply (see CommandReplyStore.Owners).
            try db.create(table: "pendingRequestOwner") { table in
                table.primaryKey("requestId", .text)
                table.column("principal", .text).notNull()
                table.column("recordedAt", .integer).notNull().indexed()
            }
        }
        migrator.registerMigration("omnibus-runtime-v9-reread-replies") { db in
            // A reply that is state a query returns anyway (a cart) is kept as the key to read
            // it again under, not whole (see RetryReply): stored replies stay small.
            try db.alter(table: "commandReply") { table in
                table.add(column: "rereadKey", .text)
            }
        }
    }
}
