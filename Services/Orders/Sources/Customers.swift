import GRDB
import OmnibusContracts

/// Customer ids as the orders service meets them. Identity hands ids out; orders does not
/// ask it whether one exists (a cart may start the moment `identity.resolve` answers, before
/// its event arrives here), but it refuses ids that are malformed or were erased, and maps
/// merged-away ids to their survivor, so a late command or event still lands on one cart.
enum Customers {
    /// The customer `id` stands for now, after identity's merges.
    static func current(_ id: String, in db: Database) throws -> String {
        guard isWellFormed(id) else {
            throw OmnibusError(.invalidArgument, "customerId must look like cus_… (letters, digits, '-'); got \(id.utf8.count) characters")
        }
        let survivor = try survivor(of: id, in: db)
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM erasedCustomer WHERE id = ?"), arguments: [survivor]) == true {
            throw OmnibusError(.notFound, "customer \(survivor) was erased")
        }
        return survivor
    }

    /// `id` mapped through the merges applied so far (itself if it was never merged away).
    static func survivor(of id: String, in db: Database) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: "SELECT survivorId FROM customerAlias WHERE mergedId = ?"), arguments: [id]) ?? id
    }

    static func isWellFormed(_ id: String) -> Bool {
        id.hasPrefix("cus_") && (5...68).contains(id.utf8.count)
            && id.utf8.dropFirst(4).allSatisfy { (48...57).contains($0) || (97...122).contains($0) || $0 == 45 }
    }

    /// Records that `mergedId` is now `survivorId`; ids already merged into `mergedId`
    /// follow it, so every alias points at a final survivor (A→B, B→C: A→C).
    static func recordMerge(_ mergedId: String, into survivorId: String, in db: Database) throws {
        try db.execute(sql: "UPDATE customerAlias SET survivorId = ? WHERE survivorId = ?", arguments: [survivorId, mergedId])
        try CustomerAliasRecord(mergedId: mergedId, survivorId: survivorId).save(db)
    }

    /// Ids merged into `customerId`, for erasure.
    static func mergedIds(into customerId: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT mergedId FROM customerAlias WHERE survivorId = ?", arguments: [customerId])
    }
}
