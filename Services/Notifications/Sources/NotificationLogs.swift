import GRDB
import OmnibusContracts
import OmnibusService

/// `notifications.log.get`: what was sent to the customer, or why not, from every channel.
enum NotificationLogs {
    static func register(in registry: inout CommandRegistry) {
        registry.register(GetNotificationLog.self) { input, context in
            let customerId = try KnownCustomers.current(input.customerId, in: context.db)
            let rows = try Row.fetchAll(context.db, sql: "SELECT * FROM notification WHERE customerId = ? ORDER BY createdAt DESC, rowid DESC",
                                        arguments: [customerId])
            return NotificationLog(customerId: customerId, notifications: rows.map { row in
                NotificationView(
                    notificationId: row["id"], customerId: row["customerId"], ruleId: row["ruleId"],
                    purpose: ConsentPurpose(rawValue: row["purpose"]) ?? .service,
                    channel: (row["channel"] as String?).flatMap(NotificationChannel.init(rawValue:)), locale: row["locale"],
                    subject: row["subject"], body: row["body"], status: NotificationStatus(rawValue: row["status"]) ?? .queued,
                    reason: row["reason"], causedBy: row["causedBy"], attempts: row["attempts"],
                    dueAt: (row["dueAt"] as Int64?).map(Timestamp.init(millisecondsSince1970:)),
                    sentAt: (row["sentAt"] as Int64?).map(Timestamp.init(millisecondsSince1970:)),
                    createdAt: Timestamp(millisecondsSince1970: row["createdAt"]), updatedAt: Timestamp(millisecondsSince1970: row["updatedAt"]))
            })
        }
    }
}
