import GRDB
import OmnibusService

/// The orders service's tables. Append-only: a shipped migration is never edited.
enum OrdersMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("orders-v1") { db in
            try db.create(table: "product") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
            }
            try db.create(table: "variant") { table in
                table.primaryKey("sku", .text)
                table.column("productId", .text).notNull().indexed().references("product")
                table.column("attributes", .text).notNull()
                table.column("priceMinor", .integer).notNull()
                table.column("currency", .text).notNull()
                // A variant dropped from its product stays for the orders that bought it.
                table.column("active", .boolean).notNull()
            }
            try db.create(table: "store") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("shipsOnline", .boolean).notNull()
            }
            try db.create(table: "stock") { table in
                table.column("storeId", .text).notNull().references("store")
                table.column("sku", .text).notNull().references("variant")
                table.column("onHand", .integer).notNull()
                table.column("reserved", .integer).notNull()
                table.primaryKey(["storeId", "sku"])
                table.check(sql: "reserved >= 0 AND onHand >= 0")
            }
            try db.create(table: "cart") { table in
                table.primaryKey("customerId", .text)
                table.column("version", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "cartLine") { table in
                table.column("customerId", .text).notNull().references("cart", onDelete: .cascade)
                table.column("sku", .text).notNull()
                table.column("quantity", .integer).notNull()
                table.column("channel", .text)
                table.column("addedAt", .integer).notNull()
                table.primaryKey(["customerId", "sku"])
            }
            try db.create(table: "purchaseOrder") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).indexed()
                table.column("status", .text).notNull()
                table.column("fulfilment", .text).notNull()
                table.column("storeId", .text).indexed()
                table.column("address", .text)
                table.column("currency", .text).notNull()
                table.column("totalMinor", .integer).notNull()
                table.column("channel", .text)
                table.column("replacesOrderId", .text)
                table.column("placedAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "orderLine") { table in
                table.column("orderId", .text).notNull().references("purchaseOrder")
                table.column("sku", .text).notNull()
                table.column("quantity", .integer).notNull()
                table.column("unitPriceMinor", .integer).notNull()
                table.column("returnedQuantity", .integer).notNull()
                table.primaryKey(["orderId", "sku"])
            }
            try db.create(table: "orderReturn") { table in
                table.primaryKey("id", .text)
                table.column("orderId", .text).notNull().indexed().references("purchaseOrder")
                table.column("sku", .text).notNull()
                table.column("quantity", .integer).notNull()
                table.column("reason", .text).notNull()
                table.column("resolution", .text).notNull()
                table.column("refundMinor", .integer).notNull()
                table.column("replacementOrderId", .text)
                table.column("channel", .text)
                table.column("recordedAt", .integer).notNull()
            }
            // A checkout is a stored sequence of steps (see CheckoutProcess).
            try db.create(table: "checkout") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).notNull()
                table.column("status", .text).notNull().indexed()
                table.column("completedSteps", .integer).notNull()
                table.column("plan", .blob).notNull()
                table.column("failure", .text)
                table.column("createdAt", .integer).notNull()
                table.column("updatedAt", .integer).notNull()
            }
            // Identity's merges, compressed so every merged id points at the final survivor.
            try db.create(table: "customerAlias") { table in
                table.primaryKey("mergedId", .text)
                table.column("survivorId", .text).notNull().indexed()
            }
            try db.create(table: "erasedCustomer") { table in
                table.primaryKey("id", .text)
                table.column("erasedAt", .integer).notNull()
            }
        }
        migrator.registerMigration("orders-v2-coupons") { db in
            // The coupon an order was priced with (code, redemption at coupons, discount).
            try db.alter(table: "purchaseOrder") { table in
                table.add(column: "coupon", .blob)
            }
            // A checkout that waits on coupons is found again by the request that started it,
            // and its order is held (not cancelled or handed over) until it has ended.
            try db.alter(table: "checkout") { table in
                table.add(column: "requestId", .text)
                table.add(column: "orderId", .text)
            }
            try db.create(index: "checkoutByOrder", on: "checkout", columns: ["orderId"])
            try db.create(index: "checkoutByRequest", on: "checkout", columns: ["requestId"], unique: true)
            // A return accepted as a goodwill gesture (a campaign may answer it with a coupon).
            try db.alter(table: "orderReturn") { table in
                table.add(column: "goodwill", .boolean)
            }
            // Coupons to give back at the coupons service, delivered until it answers.
            try db.create(table: "couponRelease") { table in
                table.primaryKey("checkoutId", .text)
                table.column("plan", .blob).notNull()
                table.column("reason", .text).notNull()
                table.column("createdAt", .integer).notNull()
            }
        }
        migrator.registerMigration("orders-v3-event-positions") { db in
            // Where the events a customer view folds stand in the log, for the snapshot
            // (OrdersSnapshot); NULL for rows from before, served as 0.
            try db.alter(table: "cart") { table in
                table.add(column: "eventSequence", .integer)
            }
            try db.alter(table: "purchaseOrder") { table in
                table.add(column: "placedSequence", .integer)
            }
        }
    }
}