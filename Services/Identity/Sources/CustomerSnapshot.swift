import GRDB
import OmnibusContracts
import OmnibusService

/// Identity's state as a snapshot for consumers older than its retained log: every customer,
/// in id order, with identifiers and the consents someone set (``IdentitySnapshot``).
enum CustomerSnapshot {
    static let provider = SnapshotProvider(version: IdentitySnapshot.version, kinds: [
        SnapshotProvider.Kind(name: IdentitySnapshot.customerKind) { db, after, limit in try customers(after: after, limit: limit, in: db) },
    ])

    static func customers(after: String?, limit: Int, in db: Database) throws -> [SnapshotRecord] {
        let customers = try CustomerRecord.filter(Column("id") > (after ?? "")).order(Column("id")).limit(limit).fetchAll(db)
        guard !customers.isEmpty else { return [] }
        let ids = customers.map(\.id)
        let identifiers = Dictionary(grouping: try IdentifierRecord.filter(ids.contains(Column("customerId")))
            .order(Column("linkedAt"), Column("kind"), Column("value")).fetchAll(db), by: \.customerId)
        let consents = Dictionary(grouping: try ConsentRecord.filter(ids.contains(Column("customerId")))
            .order(Column("purpose"), Column("channel")).fetchAll(db), by: \.customerId)
        return try customers.map { customer in
            let state = IdentitySnapshot.CustomerState(
                customerId: customer.id, status: customer.status, mergedInto: customer.mergedInto,
                displayName: customer.displayName, locale: customer.locale, preferredChannel: customer.preferredChannel,
                quietHours: customer.quietHours, identifiers: (identifiers[customer.id] ?? []).map(\.linked),
                consents: (consents[customer.id] ?? []).map(\.state))
            return SnapshotRecord(kind: IdentitySnapshot.customerKind, key: customer.id, data: try JSONValue(encoding: state))
        }
    }
}
