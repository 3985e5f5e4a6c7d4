import GRDB
import OmnibusContracts
import OmnibusService

/// The notification log as a snapshot for front ends older than the retained log: every
/// customer with a notification, in id order, with their notifications as the status events
/// left them in ``CustomerView/notifications`` (``NotificationsSnapshot``).
enum NotificationLogSnapshot {
    static let provider = SnapshotProvider(version: NotificationsSnapshot.version, kinds: [
        SnapshotProvider.Kind(name: NotificationsSnapshot.customerKind) { db, after, limit in try customers(after: after, limit: limit, in: db) },
    ])

    static func customers(after: String?, limit: Int, in db: Database) throws -> [SnapshotRecord] {
        // An erased customer's rows have no customerId (and no erased id is left on a row;
        // ruled out all the same): not served.
        let ids = try String.fetchAll(db, sql: """
            SELECT DISTINCT customerId FROM notification
            WHERE customerId > ? AND customerId NOT IN (SELECT id FROM erasedCustomer)
            ORDER BY customerId LIMIT ?
            """, arguments: [after ?? "", limit])
        guard !ids.isEmpty else { return [] }
        // Newest first, as the view lists them; rows from before the positions were kept
        // (all 0) after the others, in the order they were made.
        let rows = try Row.fetchAll(db, SQLRequest(literal: """
            SELECT id, customerId, ruleId, purpose, channel, status, reason, firstSequence, lastSequence, lastStatus, lastReason
            FROM notification WHERE customerId IN \(ids)
            ORDER BY COALESCE(firstSequence, 0) DESC, createdAt DESC, rowid DESC
            """))
        let notifications = Dictionary(grouping: rows.map { row in (customerId: row["customerId"] as String, notification: notification(row)) },
                                       by: \.customerId)
        return try ids.map { customerId in
            let state = NotificationsSnapshot.CustomerState(customerId: customerId, notifications: (notifications[customerId] ?? []).map(\.notification))
            return SnapshotRecord(kind: NotificationsSnapshot.customerKind, key: customerId, data: try JSONValue(encoding: state))
        }
    }

    /// A row as its latest status event showed it. A row written before notifications-v3 has
    /// no positions (0: older than anything after) and no status of its latest event: its own
    /// status and reason stand in, which differ from the event's only while a retry waits or
    /// after a start changed which adapters exist.
    private static func notification(_ row: Row) -> CustomerView.Notification {
        let lastStatus: String? = row["lastStatus"]
        return CustomerView.Notification(
            notificationId: row["id"], ruleId: row["ruleId"], purpose: ConsentPurpose(rawValue: row["purpose"]) ?? .service,
            channel: (row["channel"] as String?).flatMap(NotificationChannel.init(rawValue:)),
            status: NotificationStatus(rawValue: lastStatus ?? row["status"]) ?? .queued,
            reason: lastStatus == nil ? row["reason"] : row["lastReason"],
            firstSequence: row["firstSequence"] ?? 0, asOf: row["lastSequence"] ?? 0)
    }
}
