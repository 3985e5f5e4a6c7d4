import GRDB
import OmnibusContracts

/// Customer ids as a consumer of identity meets them. Identity hands ids out; a consumer
/// does not ask it whether one exists (a cart may start the moment `identity.resolve`
/// answers, before its event arrives), but it refuses ids that are malformed or were erased,
/// and maps merged-away ids to their survivor, so a late command or event still lands on
/// one customer. The tables are the consumer's own (``createTables(in:)``), filled by its
/// `customer.merged` and `customer.erased` handlers.
public enum KnownCustomers {
    /// Creates `customerAlias` (merged id → survivor) and `erasedCustomer`; call it from the
    /// service's first migration.
    public static func createTables(in db: Database) throws {
        try db.create(table: "customerAlias", options: .ifNotExists) { table in
            table.primaryKey("mergedId", .text)
            table.column("survivorId", .text).notNull().indexed()
        }
        try db.create(table: "erasedCustomer", options: .ifNotExists) { table in
            table.primaryKey("id", .text)
            table.column("erasedAt", .integer).notNull()
        }
    }

    /// The customer `id` stands for now, after identity's merges: `invalid_argument` for a
    /// malformed id, `not_found` for an erased one.
    public static func current(_ id: String, in db: Database) throws -> String {
        guard isWellFormed(id) else {
            throw OmnibusError(.invalidArgument, "customerId must look like cus_… (letters, digits, '-'); got \(id.utf8.count) characters")
        }
        guard let live = try live(id, in: db) else {
            throw OmnibusError(.notFound, "customer \(try survivor(of: id, in: db)) was erased")
        }
        return live
    }

    /// The customer `id` stands for after merges, or nil when that customer was erased: for
    /// handlers of other services' events, which pass over an erased customer rather than fail.
    public static func live(_ id: String, in db: Database) throws -> String? {
        let survivor = try survivor(of: id, in: db)
        return try isErased(survivor, in: db) ? nil : survivor
    }

    /// Applies identity's `customer.merged`: records that `mergedId` is now the final survivor
    /// of `survivorId` and returns that survivor; nil when it changes nothing (replayed, or a
    /// merge into itself), so the caller moves nothing.
    public static func merge(_ mergedId: String, into survivorId: String, in db: Database) throws -> String? {
        let survivor = try survivor(of: survivorId, in: db)
        guard mergedId != survivor else { return nil }
        try recordMerge(mergedId, into: survivor, in: db)
        return survivor
    }

    /// Whether `id` was erased.
    public static func isErased(_ id: String, in db: Database) throws -> Bool {
        // Both lookups run for nearly every command: through ``RawStatement``.
        let statement = try db.raw("SELECT 1 FROM erasedCustomer WHERE id = ?")
        try statement.bind(1, id)
        return try statement.one { _ in true } ?? false
    }

    /// `id` mapped through the merges applied so far (itself if it was never merged away).
    public static func survivor(of id: String, in db: Database) throws -> String {
        let statement = try db.raw("SELECT survivorId FROM customerAlias WHERE mergedId = ?")
        try statement.bind(1, id)
        return try statement.one { $0.text(0) } ?? id
    }

    /// Whether `id` has the shape identity gives customer ids.
    public static func isWellFormed(_ id: String) -> Bool {
        id.hasPrefix("cus_") && (5...68).contains(id.utf8.count)
            && id.utf8.dropFirst(4).allSatisfy { (48...57).contains($0) || (97...122).contains($0) || $0 == 45 }
    }

    /// Records that `mergedId` is now `survivorId`; ids already merged into `mergedId`
    /// follow it, so every alias points at a final survivor (A→B, B→C: A→C).
    public static func recordMerge(_ mergedId: String, into survivorId: String, in db: Database) throws {
        try db.execute(sql: "UPDATE customerAlias SET survivorId = ? WHERE survivorId = ?", arguments: [survivorId, mergedId])
        try db.execute(sql: "INSERT OR REPLACE INTO customerAlias (mergedId, survivorId) VALUES (?, ?)", arguments: [mergedId, survivorId])
    }

    /// The erased customer with every id merged into it or named with it, each recorded as
    /// erased (later commands for them get `not_found`), and the dead letters and stored
    /// replies naming them dropped; sorted.
    public static func recordErasure(_ erased: IdentityEvent.CustomerErased, in db: Database) throws -> [String] {
        var ids = Set(erased.erasedIds + [erased.customerId])
        for id in Array(ids) { ids.formUnion(try mergedIds(into: id, in: db)) }
        let now = Timestamp.now().millisecondsSince1970
        for id in ids {
            try db.execute(sql: "INSERT OR IGNORE INTO erasedCustomer (id, erasedAt) VALUES (?, ?)", arguments: [id, now])
        }
        try Erasure.forgetDeadLetters(of: Array(ids), in: db)
        try Erasure.forgetStoredReplies(of: Array(ids), in: db)
        return ids.sorted()
    }

    /// Ids merged into `customerId`.
    public static func mergedIds(into customerId: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT mergedId FROM customerAlias WHERE survivorId = ?", arguments: [customerId])
    }
}
