import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// The outbox of deliveries, in the notifications table: what is due, what quiet hours and
/// the frequency cap hold back, and what each try came to. Sending happens between
/// ``claim(limit:emitter:)`` and ``record(_:emitter:)``, outside any transaction: a crash in
/// between leaves the delivery due, so it is sent again with the same delivery id.
struct DeliveryQueue: Sendable {
    let dispatch: Dispatch
    let retry: RetryPolicy

    private var clock: NotificationsClock { dispatch.clock }

    /// At start: notifications that waited for an adapter that is now configured become due;
    /// due ones whose adapter is gone wait again, with the reason.
    func prepare(in db: Database) throws {
        let channels = dispatch.deliverable.map(\.rawValue)
        let now = clock.now()
        try db.execute(literal: """
            UPDATE notification SET dueAt = \(now), reason = NULL, updatedAt = \(now)
            WHERE status = 'queued' AND dueAt IS NULL AND channel IN \(channels)
            """)
        for row in try Row.fetchAll(db, SQLRequest(literal: "SELECT id, channel FROM notification WHERE dueAt IS NOT NULL AND channel NOT IN \(channels)")) {
            try db.execute(sql: "UPDATE notification SET dueAt = NULL, reason = ?, updatedAt = ? WHERE id = ?",
                           arguments: ["no \(row["channel"] as String) delivery adapter is configured; it waits for one", now, row["id"] as String])
        }
    }

    /// In one transaction: fires the due rule timers, defers what quiet hours or the cap hold
    /// back, and returns up to `limit` due deliveries, each with its try counted.
    func claim(limit: Int, emitter: TransactionEmitter) throws -> [OutgoingDelivery] {
        let db = emitter.db
        let now = clock.now()
        for due in try RuleTimers.takeDue(now: now, limit: limit, rules: dispatch.rules, in: db) {
            try dispatch.notify(due.customerId, rule: due.rule, causedBy: due.causedBy, data: due.data, emitter: emitter)
        }
        var claimed: [OutgoingDelivery] = []
        var capped: [String: [Int64]] = [:]
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM notification WHERE dueAt <= ? ORDER BY dueAt LIMIT ?", arguments: [now, limit])
        for row in rows {
            guard let customerId: String = row["customerId"], let channel = NotificationChannel(rawValue: row["channel"]) else { continue }
            let purpose = ConsentPurpose(rawValue: row["purpose"]) ?? .service
            if let (until, reason) = try heldBack(customerId, purpose: purpose, now: now, claimedMarketing: &capped, in: db) {
                try postpone(row, until: until, reason: reason, emitter: emitter)
                continue
            }
            let attempt = (row["attempts"] as Int) + 1
            try db.execute(sql: "UPDATE notification SET attempts = ? WHERE id = ?", arguments: [attempt, row["id"] as String])
            claimed.append(OutgoingDelivery(
                deliveryId: row["id"], customerId: customerId, ruleId: row["ruleId"], channel: channel, address: row["address"],
                subject: row["subject"] ?? "", body: row["body"] ?? "", locale: row["locale"], attempt: attempt))
        }
        return claimed
    }

    /// Why and until when the customer's message must wait, or nil when it may go now.
    private func heldBack(_ customerId: String, purpose: ConsentPurpose, now: Int64, claimedMarketing: inout [String: [Int64]],
                          in db: Database) throws -> (Int64, String)? {
        if let hours = try Contacts.reach(customerId, in: db).quietHours ?? dispatch.rules.quietHours,
           let end = Deferral.quietHoursEnd(hours, at: now) {
            return (end, "quiet hours \(hours.start)–\(hours.end) \(hours.timeZone); goes at \(Deferral.describe(end))")
        }
        guard purpose == .marketing, let cap = dispatch.rules.frequencyCap else { return nil }
        let sent = try Int64.fetchAll(db, sql: """
            SELECT sentAt FROM notification WHERE customerId = ? AND purpose = 'marketing' AND sentAt > ? ORDER BY sentAt
            """, arguments: [customerId, now - cap.perMilliseconds]) + claimedMarketing[customerId, default: []]
        if let end = Deferral.frequencyCapEnd(cap, sentAt: sent, at: now) {
            return (end, "frequency cap of \(cap.max) marketing messages per \(cap.perMilliseconds / 3_600_000)h; goes at \(Deferral.describe(end))")
        }
        claimedMarketing[customerId, default: []].append(now)
        return nil
    }

    private func postpone(_ row: Row, until: Int64, reason: String, emitter: TransactionEmitter) throws {
        let id: String = row["id"]
        try emitter.db.execute(sql: "UPDATE notification SET status = 'deferred', dueAt = ?, reason = ?, updatedAt = ? WHERE id = ?",
                               arguments: [until, reason, clock.now(), id])
        try emitter.emit(NotificationsEvent.NotificationDeferred(change(row, status: .deferred, reason: reason, dueAt: until)),
                         customerId: row["customerId"])
    }

    /// What one try came to: nil for delivered, else the error.
    typealias Outcome = (delivery: OutgoingDelivery, error: (any Error)?)

    /// Records each try: sent; or due again after a backoff; or failed for good, with the reason.
    /// A notification cancelled meanwhile (its customer erased) stays cancelled.
    func record(_ outcomes: [Outcome], emitter: TransactionEmitter) throws {
        let db = emitter.db
        let now = clock.now()
        for (delivery, error) in outcomes {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE id = ? AND status IN ('queued', 'deferred')",
                                             arguments: [delivery.deliveryId])
            else { continue }
            guard let error else {
                try db.execute(sql: "UPDATE notification SET status = 'sent', reason = NULL, dueAt = NULL, sentAt = ?, updatedAt = ? WHERE id = ?",
                               arguments: [now, now, delivery.deliveryId])
                try emitter.emit(NotificationsEvent.NotificationSent(change(row, status: .sent, attempts: delivery.attempt)),
                                 customerId: delivery.customerId)
                continue
            }
            let failure = error as? DeliveryError ?? .transient("\(error)")
            if failure.permanent || delivery.attempt >= retry.maxAttempts {
                let reason = failure.permanent ? failure.reason : "gave up after \(delivery.attempt) tries; the last: \(failure.reason)"
                try db.execute(sql: "UPDATE notification SET status = 'failed', reason = ?, dueAt = NULL, updatedAt = ? WHERE id = ?",
                               arguments: [reason, now, delivery.deliveryId])
                try emitter.emit(NotificationsEvent.NotificationFailed(change(row, status: .failed, reason: reason, attempts: delivery.attempt)),
                                 customerId: delivery.customerId)
            } else {
                let next = now + retry.backoffMilliseconds(afterAttempt: delivery.attempt)
                try db.execute(sql: "UPDATE notification SET status = 'queued', reason = ?, dueAt = ?, updatedAt = ? WHERE id = ?",
                               arguments: ["try \(delivery.attempt) failed: \(failure.reason)", next, now, delivery.deliveryId])
            }
        }
    }

    private func change(_ row: Row, status: NotificationStatus, reason: String? = nil, dueAt: Int64? = nil,
                        attempts: Int? = nil) -> NotificationsEvent.NotificationChanged {
        NotificationsEvent.NotificationChanged(
            notificationId: row["id"], customerId: row["customerId"], ruleId: row["ruleId"],
            purpose: ConsentPurpose(rawValue: row["purpose"]) ?? .service, channel: NotificationChannel(rawValue: row["channel"]),
            status: status, reason: reason, dueAt: dueAt.map(Timestamp.init(millisecondsSince1970:)), attempts: attempts)
    }
}
