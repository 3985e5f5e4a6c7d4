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

    /// How long a claimed try keeps its notification from being claimed again, should its
    /// record fail: longer than any adapter's timeout.
    static let leaseMilliseconds: Int64 = 60_000

    /// At start: tries a dead process left unrecorded are due again (the resend, same id);
    /// notifications that waited for an adapter that is now configured become due; due ones
    /// whose adapter is gone wait again, queued, with the reason.
    func prepare(in db: Database) throws {
        let channels = dispatch.deliverable.map(\.rawValue)
        let now = clock.now()
        try db.execute(sql: "UPDATE notification SET dueAt = ?, claimedAt = NULL WHERE claimedAt IS NOT NULL AND status IN ('queued', 'deferred')",
                       arguments: [now])
        try db.execute(literal: """
            UPDATE notification SET dueAt = \(now), reason = NULL, updatedAt = \(now)
            WHERE status IN ('queued', 'deferred') AND dueAt IS NULL AND channel IN \(channels)
            """)
        for row in try Row.fetchAll(db, SQLRequest(literal: "SELECT id, channel FROM notification WHERE dueAt IS NOT NULL AND channel NOT IN \(channels)")) {
            try db.execute(sql: "UPDATE notification SET status = 'queued', dueAt = NULL, reason = ?, updatedAt = ? WHERE id = ?",
                           arguments: ["no \(row["channel"] as String) delivery adapter is configured; it waits for one", now, row["id"] as String])
        }
    }

    /// In one transaction: the rule timers due now (at most `limit`) make their notifications.
    /// Returns how many fired.
    func fireTimers(limit: Int, emitter: TransactionEmitter) throws -> Int {
        let due = try RuleTimers.takeDue(now: clock.now(), limit: limit, rules: dispatch.rules, in: emitter.db)
        // A timer's customer may have been merged or erased while it waited.
        for timer in due {
            guard let customer = try KnownCustomers.live(timer.customerId, in: emitter.db) else { continue }
            try dispatch.notify(customer, rule: timer.rule, causedBy: timer.causedBy, data: timer.data, emitter: emitter)
        }
        return due.count
    }

    /// In one transaction: settles what may no longer go (consent
    /// withdrawn, tries used up), defers what quiet hours or the cap hold back, and returns up
    /// to `limit` due deliveries on `channel`, each with its try counted and leased.
    func claim(_ channel: NotificationChannel, limit: Int, emitter: TransactionEmitter) throws -> [OutgoingDelivery] {
        let db = emitter.db
        let now = clock.now()
        var claimed: [OutgoingDelivery] = []
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM notification WHERE dueAt <= ? AND channel = ? ORDER BY dueAt LIMIT ?",
                                    arguments: [now, channel.rawValue, limit])
        for row in rows {
            guard let customerId: String = row["customerId"] else {
                try db.execute(sql: "UPDATE notification SET dueAt = NULL WHERE id = ?", arguments: [row["id"] as String])
                continue
            }
            let purpose = ConsentPurpose(rawValue: row["purpose"]) ?? .service
            let reach = try Contacts.reach(customerId, in: db)
            let attempts: Int = row["attempts"]
            if !reach.consented(purpose, channel) {
                try settle(row, as: .suppressed, reason: "\(purpose.rawValue) consent on \(channel.rawValue) was withdrawn while it waited",
                           emitter: emitter)
                continue
            }
            if attempts >= retry.maxAttempts {
                try settle(row, as: .failed, reason: "gave up after \(attempts) tries; the last did not finish", emitter: emitter)
                continue
            }
            if let (until, reason) = try heldBack(customerId, purpose: purpose, reach: reach, now: now, in: db) {
                try postpone(row, until: until, reason: reason, emitter: emitter)
                continue
            }
            try db.execute(sql: "UPDATE notification SET attempts = ?, claimedAt = ?, dueAt = ? WHERE id = ?",
                           arguments: [attempts + 1, now, now + Self.leaseMilliseconds, row["id"] as String])
            claimed.append(OutgoingDelivery(
                deliveryId: row["id"], customerId: customerId, ruleId: row["ruleId"], channel: channel,
                // Rows queued before addresses were kept with them look theirs up now.
                address: row["address"] ?? reach.address(for: channel),
                subject: row["subject"] ?? "", body: row["body"] ?? "", locale: row["locale"], attempt: attempts + 1))
        }
        return claimed
    }

    /// Why and until when the customer's message must wait, or nil when it may go now. Tries
    /// out on any channel count against the cap as if sent now.
    private func heldBack(_ customerId: String, purpose: ConsentPurpose, reach: Contacts.Reach, now: Int64,
                          in db: Database) throws -> (Int64, String)? {
        if let hours = reach.quietHours ?? dispatch.rules.quietHours,
           let end = Deferral.quietHoursEnd(hours, at: now) {
            return (end, "quiet hours \(hours.start)–\(hours.end) \(hours.timeZone); goes at \(Deferral.describe(end))")
        }
        guard purpose == .marketing, let cap = dispatch.rules.frequencyCap else { return nil }
        let sent = try Int64.fetchAll(db, sql: """
            SELECT COALESCE(sentAt, claimedAt) AS at FROM notification
            WHERE customerId = ? AND purpose = 'marketing' AND (sentAt > ? OR claimedAt IS NOT NULL) ORDER BY at
            """, arguments: [customerId, now - cap.perMilliseconds])
        guard let end = Deferral.frequencyCapEnd(cap, sentAt: sent, at: now) else { return nil }
        return (end, "frequency cap of \(cap.max) marketing messages per \(Deferral.describe(duration: cap.perMilliseconds)); goes at \(Deferral.describe(end))")
    }

    private func postpone(_ row: Row, until: Int64, reason: String, emitter: TransactionEmitter) throws {
        let id: String = row["id"]
        let sequence = try emitter.emit(NotificationsEvent.NotificationDeferred(change(row, status: .deferred, reason: reason, dueAt: until)),
                                        customerId: row["customerId"])
        try emitter.db.execute(sql: """
            UPDATE notification SET status = 'deferred', dueAt = ?, reason = ?, updatedAt = ?,
                lastSequence = ?, lastStatus = 'deferred', lastReason = ? WHERE id = ?
            """, arguments: [until, reason, clock.now(), sequence, reason, id])
    }

    /// Ends a notification that will not be sent: suppressed (consent gone) or failed.
    private func settle(_ row: Row, as status: NotificationStatus, reason: String, emitter: TransactionEmitter) throws {
        let change = change(row, status: status, reason: reason, attempts: row["attempts"])
        let customerId: String? = row["customerId"]
        let sequence = status == .suppressed
            ? try emitter.emit(NotificationsEvent.NotificationSuppressed(change), customerId: customerId)
            : try emitter.emit(NotificationsEvent.NotificationFailed(change), customerId: customerId)
        try emitter.db.execute(sql: """
            UPDATE notification SET status = ?, reason = ?, dueAt = NULL, claimedAt = NULL, updatedAt = ?,
                lastSequence = ?, lastStatus = ?, lastReason = ? WHERE id = ?
            """, arguments: [status.rawValue, reason, clock.now(), sequence, status.rawValue, reason, row["id"] as String])
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
                let sequence = try emitter.emit(NotificationsEvent.NotificationSent(change(row, status: .sent, attempts: delivery.attempt)),
                                                customerId: row["customerId"])
                try db.execute(sql: """
                    UPDATE notification SET status = 'sent', reason = NULL, dueAt = NULL, claimedAt = NULL, sentAt = ?, updatedAt = ?,
                        lastSequence = ?, lastStatus = 'sent', lastReason = NULL WHERE id = ?
                    """, arguments: [now, now, sequence, delivery.deliveryId])
                continue
            }
            let failure = error as? DeliveryError ?? .transient("\(error)")
            if failure.permanent || delivery.attempt >= retry.maxAttempts {
                let reason = failure.permanent ? failure.reason : "gave up after \(delivery.attempt) tries; the last: \(failure.reason)"
                let sequence = try emitter.emit(
                    NotificationsEvent.NotificationFailed(change(row, status: .failed, reason: reason, attempts: delivery.attempt)),
                    customerId: row["customerId"])
                try db.execute(sql: """
                    UPDATE notification SET status = 'failed', reason = ?, dueAt = NULL, claimedAt = NULL, updatedAt = ?,
                        lastSequence = ?, lastStatus = 'failed', lastReason = ? WHERE id = ?
                    """, arguments: [reason, now, sequence, reason, delivery.deliveryId])
            } else {
                // No event: the view keeps the status and reason of the last one (lastStatus, lastReason).
                let next = now + retry.backoffMilliseconds(afterAttempt: delivery.attempt)
                try db.execute(sql: "UPDATE notification SET status = 'queued', reason = ?, dueAt = ?, claimedAt = NULL, updatedAt = ? WHERE id = ?",
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
