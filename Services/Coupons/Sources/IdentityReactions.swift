import GRDB
import OmnibusContracts
import OmnibusService

/// What coupons does with identity's events: a merge moves the wallet and the redemptions to
/// the survivor (so per-customer limits count both); an erasure deletes the wallet and keeps
/// the redemptions without a customer, so budgets still count them. Each handler runs in the
/// transaction that records the event as applied, so it happens exactly once.
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

    static func merge(_ mergedId: String, into survivorId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let survivor = try KnownCustomers.merge(mergedId, into: survivorId, in: db) else { return }
        let codes = try String.fetchAll(db, sql: "SELECT code FROM coupon WHERE customerId = ? ORDER BY code", arguments: [mergedId])
        try db.execute(sql: "UPDATE coupon SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        try db.execute(sql: "UPDATE redemption SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        let redemptionsMoved = db.changesCount
        try db.execute(sql: "DELETE FROM orderingCustomer WHERE customerId = ?", arguments: [mergedId])
        if db.changesCount > 0 {
            try db.execute(sql: "INSERT OR IGNORE INTO orderingCustomer (customerId) VALUES (?)", arguments: [survivor])
        }
        if !codes.isEmpty || redemptionsMoved > 0 {
            try emitter.emit(CouponsEvent.WalletMerged(mergedId: mergedId, survivorId: survivor, codes: codes), customerId: survivor)
        }
    }

    static func erase(_ erased: IdentityEvent.CustomerErased, emitter: some EventEmitting) throws {
        let db = emitter.db
        let ids = try KnownCustomers.recordErasure(erased, in: db)
        try db.execute(literal: "DELETE FROM coupon WHERE customerId IN \(ids)")
        let deleted = db.changesCount
        try db.execute(literal: "UPDATE redemption SET customerId = NULL WHERE customerId IN \(ids)")
        try db.execute(literal: "DELETE FROM orderingCustomer WHERE customerId IN \(ids)")
        try Erasure.requestCompaction(in: db)
        try emitter.emit(CouponsEvent.CustomerDataErased(erasedIds: ids, couponsDeleted: deleted), customerId: erased.customerId)
    }
}
