import Foundation
import GRDB
import OmnibusContracts

/// Finding customers and assembling what a profile shows; every function runs inside the
/// caller's transaction.
enum CustomerDirectory {
    static let maxCustomerIdLength = 64

    /// A new customer id: `cus_` and a random UUID.
    static func newCustomerId() -> String { "cus_" + UUID().uuidString.lowercased() }

    /// The customer `id` stands for now: itself, or the survivor it was merged into.
    /// Throws `not_found` for an id never handed out.
    static func current(_ id: String, in db: Database) throws -> CustomerRecord {
        guard !id.isEmpty, id.utf8.count <= maxCustomerIdLength else {
            throw OmnibusError(.invalidArgument, "customerId must be 1 to \(maxCustomerIdLength) bytes")
        }
        guard var customer = try record(id, in: db) else {
            throw OmnibusError(.notFound, "no customer '\(id)'")
        }
        // Merges keep `mergedInto` pointing at the final survivor; the bound only guards
        // against a cycle a bug could make.
        var hops = 0
        while customer.status == .merged, let next = customer.mergedInto, hops < 64 {
            guard let survivor = try record(next, in: db) else {
                throw OmnibusError(.internal, "customer '\(customer.id)' was merged into missing '\(next)'")
            }
            customer = survivor
            hops += 1
        }
        return customer
    }

    /// Like ``current(_:in:)`` but refuses erased customers, for commands that change a profile.
    static func active(_ id: String, in db: Database) throws -> CustomerRecord {
        let customer = try current(id, in: db)
        guard customer.status != .erased else {
            throw OmnibusError(.notFound, "customer '\(id)' was erased")
        }
        return customer
    }

    /// The customer that `identifier` leads to, if any.
    static func owner(of identifier: Identifier, in db: Database) throws -> IdentifierRecord? {
        // A cached statement: building the query each time was a third of a resolve's cost.
        let statement = try db.cachedStatement(sql: "SELECT * FROM identifier WHERE kind = ? AND value = ?")
        return try IdentifierRecord.fetchOne(statement, arguments: [identifier.kind.rawValue, identifier.value])
    }

    /// The `customer` row of `id` as stored (not following merges).
    static func record(_ id: String, in db: Database) throws -> CustomerRecord? {
        try CustomerRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM customer WHERE id = ?"), arguments: [id])
    }

    /// Ids merged into `survivorId`, oldest first.
    static func mergedIds(into survivorId: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM customer WHERE mergedInto = ? ORDER BY createdAt, id",
                            arguments: [survivorId])
    }

    /// Whether the customer holds a verified identifier that identifies a person.
    static func hasVerifiedPersonIdentifier(_ customerId: String, in db: Database) throws -> Bool {
        try IdentifierRecord.filter(Column("customerId") == customerId && Column("verified") == true)
            .fetchAll(db).contains { $0.kind.identifiesPerson }
    }

    /// The full profile of the customer `id` stands for.
    static func profile(_ id: String, in db: Database) throws -> CustomerProfile {
        let customer = try current(id, in: db)
        let identifiers = try IdentifierRecord.filter(Column("customerId") == customer.id)
            .order(Column("linkedAt"), Column("kind"), Column("value")).fetchAll(db)
        let stored = try ConsentRecord.filter(Column("customerId") == customer.id).fetchAll(db)
        var consents: [ConsentState] = []
        for purpose in ConsentPurpose.allCases {
            for channel in ContactChannel.allCases {
                consents.append(stored.first { $0.purpose == purpose && $0.channel == channel }?.state
                    ?? ConsentState(purpose: purpose, channel: channel, granted: purpose.grantedByDefault,
                                    changedAt: nil, source: nil))
            }
        }
        return CustomerProfile(
            customerId: customer.id, status: customer.status, displayName: customer.displayName,
            locale: customer.locale, identifiers: identifiers.map(\.linked), consents: consents,
            preferredChannel: customer.preferredChannel, quietHours: customer.quietHours,
            mergedIds: try mergedIds(into: customer.id, in: db),
            createdAt: Timestamp(millisecondsSince1970: customer.createdAt),
            updatedAt: Timestamp(millisecondsSince1970: customer.updatedAt))
    }
}
