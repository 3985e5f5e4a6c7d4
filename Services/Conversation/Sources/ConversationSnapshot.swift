import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// Conversation's part of the customer view as a snapshot, for consumers older than its
/// retained log: every customer with touchpoints or cases, in id order, with what
/// ``CustomerViews`` would have folded from this service's events (``ConversationSnapshot``).
/// Erasure deletes a customer's touchpoints and takes the customer off their cases, so an
/// erased customer has no record; merges moved the merged customer's rows to the survivor.
extension ConversationSnapshot {
    static let provider = SnapshotProvider(version: version, kinds: [
        SnapshotProvider.Kind(name: customerKind) { db, after, limit in try customers(after: after, limit: limit, in: db) },
    ])

    static func customers(after: String?, limit: Int, in db: Database) throws -> [SnapshotRecord] {
        let after = after ?? ""
        // `> after` also leaves out the cases kept without a customer (NULL) after an erasure;
        // the erased list is belt and braces: erasure leaves no rows under those ids.
        let ids = try String.fetchAll(db, sql: """
            SELECT customerId FROM touchpoint WHERE customerId > ? AND customerId NOT IN (SELECT id FROM erasedCustomer)
            UNION
            SELECT customerId FROM supportCase WHERE customerId > ? AND customerId NOT IN (SELECT id FROM erasedCustomer)
            ORDER BY customerId LIMIT ?
            """, arguments: [after, after, limit])
        guard !ids.isEmpty else { return [] }
        // The newest few per customer, as the view keeps them: by `at`, then id, newest first.
        let touchpointRows = try Row.fetchAll(db, SQLRequest<Row>("""
            SELECT customerId, body FROM (
                SELECT customerId, body, at, id,
                       ROW_NUMBER() OVER (PARTITION BY customerId ORDER BY at DESC, id DESC) AS rank
                FROM touchpoint WHERE customerId IN \(ids))
            WHERE rank <= \(ConversationCommand.touchpointsInView)
            ORDER BY customerId, at DESC, id DESC
            """))
        var touchpoints: [String: [Touchpoint]] = [:]
        for row in touchpointRows {
            touchpoints[row["customerId"], default: []].append(try ContractCoding.decode(Touchpoint.self, from: row["body"] as Data))
        }
        // Each case as its latest event left it: the row is changed only with a case event
        // (merges and erasures change its customer, which the view does not show). Cases
        // opened or changed before `conversation-v2-case-sequences` have no recorded
        // position: 0, older than anything after.
        let cases = Dictionary(grouping: try CaseRecord.fetchAll(db, SQLRequest<CaseRecord>("""
            SELECT * FROM supportCase WHERE customerId IN \(ids)
            ORDER BY COALESCE(openedSequence, 0) DESC, id DESC
            """)), by: { $0.customerId ?? "" })
        return try ids.map { customerId in
            let state = ConversationSnapshot.CustomerState(
                customerId: customerId, touchpoints: touchpoints[customerId] ?? [],
                cases: (cases[customerId] ?? []).map { record in
                    CustomerView.Case(record.changed(on: nil), openedSequence: record.openedSequence ?? 0, asOf: record.changedSequence ?? 0)
                })
            return SnapshotRecord(kind: customerKind, key: customerId, data: try JSONValue(encoding: state))
        }
    }
}
