import GRDB
import OmnibusContracts
import OmnibusService

/// What orders does with identity's events: merges move carts and orders to the survivor;
/// erasure deletes carts and addresses and keeps orders without a customer. Each handler
/// runs in the transaction that records the event as applied, so it happens exactly once.
enum IdentityReactions {
    static func register(in registry: inout EventHandlerRegistry) {
        registry.on(IdentityEvent.CustomersMerged.self) { event, context in
            try merge(event.data.mergedId, into: event.data.survivorId, emitter: context)
        }
        registry.on(IdentityEvent.CustomerErased.self) { event, context in
            try erase(event.data, emitter: context)
        }
        registry.ignoreUnhandled(IdentityEvent.all)
        // Away longer than identity keeps its events: the merges and erasures missed, from its snapshot.
        registry.onSnapshot(of: IdentityEvent.source, kind: IdentitySnapshot.customerKind) { records, context in
            _ = try KnownCustomers.fold(records, in: context.db,
                                        merge: { try merge($0, into: $1, emitter: context) },
                                        erase: { try erase($0, emitter: context) })
        }
    }

    /// Folds the merged customer's cart into the survivor's (quantities of a SKU in both are
    /// added, up to the line maximum) and moves its orders. Replayed, it finds nothing to move.
    static func merge(_ mergedId: String, into survivorId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let survivor = try KnownCustomers.merge(mergedId, into: survivorId, in: db) else { return }

        let moving = try CartLineRecord.filter(Column("customerId") == mergedId).fetchAll(db)
        if !moving.isEmpty {
            try Carts.ensure(survivor, in: db)
            for var line in moving {
                if var existing = try CartLineRecord.fetchOne(db, key: ["customerId": survivor, "sku": line.sku]) {
                    existing.quantity = min(OrdersCommand.maxLineQuantity, existing.quantity + line.quantity)
                    try existing.update(db)
                } else {
                    line.customerId = survivor
                    try line.insert(db)
                }
            }
        }
        try db.execute(sql: "DELETE FROM cart WHERE customerId = ?", arguments: [mergedId])
        if !moving.isEmpty {
            _ = try Carts.changed(survivor, OrdersEvent.CartMerged.self, mergedId: mergedId, emitter: emitter)
        }
        try db.execute(sql: "UPDATE purchaseOrder SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        try db.execute(sql: "UPDATE checkout SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
    }

    /// Forgets the erased customers: carts and finished checkouts deleted, orders kept for
    /// the accounts with neither customer id nor address, and the words the customer typed
    /// (return and cancellation reasons) blanked in the tables and in the logged events.
    /// Further commands for them get `not_found`.
    static func erase(_ erased: IdentityEvent.CustomerErased, emitter: some EventEmitting) throws {
        let db = emitter.db
        let list = try KnownCustomers.recordErasure(erased, in: db)
        try db.execute(literal: "DELETE FROM cart WHERE customerId IN \(list)")
        try db.execute(literal: "DELETE FROM checkout WHERE customerId IN \(list) AND status <> \(CheckoutStatus.running.rawValue)")
        try db.execute(literal: """
            UPDATE orderReturn SET reason = '' WHERE orderId IN (SELECT id FROM purchaseOrder WHERE customerId IN \(list))
            """)
        try Erasure.redactEvents(of: list, in: db, redact: redactTypedWords)
        try db.execute(literal: "UPDATE purchaseOrder SET customerId = NULL, address = NULL WHERE customerId IN \(list)")
        let anonymised = db.changesCount
        try Erasure.requestCompaction(in: db)
        try emitter.emit(OrdersEvent.CustomerDataErased(erasedIds: list, ordersAnonymised: anonymised),
                         customerId: erased.customerId)
    }

    /// Orders' events that carry words a customer typed: their `reason`, blanked (kept as a
    /// string, which the contract requires) and the event marked redacted.
    static func redactTypedWords(type: String, data: JSONValue) -> JSONValue? {
        guard [OrdersEvent.OrderReturned.type, OrdersEvent.OrderCancelled.type].contains(type),
              case .object(var object) = data, object["reason"] != nil else { return nil }
        object["reason"] = .string("")
        object["redacted"] = .bool(true)
        return .object(object)
    }
}
