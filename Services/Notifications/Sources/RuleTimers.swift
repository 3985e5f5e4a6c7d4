import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// Durable timers of delayed and idle rules, in SQLite so that they survive restarts. A
/// delayed rule waits once per triggering event; an idle rule waits once per customer, and
/// every new trigger restarts the wait (the abandoned cart: no change for a while).
enum RuleTimers {
    /// Starts (or, for an idle rule, restarts) the rule's wait for the customer.
    static func start(_ rule: NotificationRule, customerId: String, causedBy eventId: String, data: JSONValue, now: Int64, in db: Database) throws {
        let key = rule.idle ? "\(rule.ruleId)|\(customerId)" : "\(rule.ruleId)|\(eventId)"
        try db.execute(sql: """
            INSERT INTO ruleTimer (timerKey, ruleId, customerId, causedBy, data, dueAt) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (timerKey) DO UPDATE SET causedBy = excluded.causedBy, data = excluded.data, dueAt = excluded.dueAt
            WHERE \(rule.idle ? "1" : "0")
            """, arguments: [key, rule.ruleId, customerId, eventId, String(decoding: try ContractCoding.encode(data), as: UTF8.self),
                             now + rule.delayMilliseconds])
    }

    /// Stops the rule's waits for the customer.
    static func cancel(_ rule: NotificationRule, customerId: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM ruleTimer WHERE ruleId = ? AND customerId = ?", arguments: [rule.ruleId, customerId])
    }

    /// A due timer: the rule, whom for, and the event that started it.
    struct Due {
        var rule: NotificationRule
        var customerId: String
        var causedBy: String
        var data: JSONValue
    }

    /// Removes and returns the timers due at `now` (at most `limit`). A timer whose rule was
    /// removed from rules.json is dropped.
    static func takeDue(now: Int64, limit: Int, rules: NotificationRules, in db: Database) throws -> [Due] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM ruleTimer WHERE dueAt <= ? ORDER BY dueAt LIMIT ?", arguments: [now, limit])
        var due: [Due] = []
        for row in rows {
            try db.execute(sql: "DELETE FROM ruleTimer WHERE timerKey = ?", arguments: [row["timerKey"] as String])
            guard let rule = rules.rule(row["ruleId"]) else { continue }
            let data = try ContractCoding.decode(JSONValue.self, from: Data((row["data"] as String).utf8))
            due.append(Due(rule: rule, customerId: row["customerId"], causedBy: row["causedBy"], data: data))
        }
        return due
    }

    /// The merged customer's waits become the survivor's (where the survivor waits on the
    /// same idle rule, the survivor's wait is kept).
    static func merge(_ mergedId: String, into survivorId: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE OR IGNORE ruleTimer SET customerId = :survivor,
                timerKey = CASE WHEN timerKey = ruleId || '|' || :merged THEN ruleId || '|' || :survivor ELSE timerKey END
            WHERE customerId = :merged
            """, arguments: ["merged": mergedId, "survivor": survivorId])
        try db.execute(sql: "DELETE FROM ruleTimer WHERE customerId = ?", arguments: [mergedId])
    }
}
