import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// Turns the events the rules name into notifications: once per event and rule, on the
/// customer's preferred consented channel, rendered in their language — at once, or when
/// the rule's durable timer fires.
struct Dispatch: Sendable {
    let rules: NotificationRules
    let clock: NotificationsClock
    /// The channels with a delivery adapter; a notification for another waits, queued, for one.
    let deliverable: Set<NotificationChannel>

    /// The sources whose events may trigger a rule; every type of theirs is handled (most do nothing).
    static let triggeringTypes: [any EventContract.Type] = OrdersEvent.all + CouponsEvent.all + ConversationEvent.all

    func register(in registry: inout EventHandlerRegistry) {
        for type in Self.triggeringTypes { handle(type, in: &registry) }
    }

    private func handle<Event: EventContract>(_ type: Event.Type, in registry: inout EventHandlerRegistry) {
        let topic = type.topic
        let triggered = rules.rules(for: topic)
        let cancelled = rules.rules(cancelledBy: topic)
        registry.onRaw(type) { received, context in
            guard !(triggered.isEmpty && cancelled.isEmpty), let named = received.header.customerId,
                  let customerId = try KnownCustomers.live(named, in: context.db)
            else { return }
            for rule in cancelled { try RuleTimers.cancel(rule, customerId: customerId, in: context.db) }
            guard !triggered.isEmpty else { return }
            let data = try received.decode(JSONValue.self).data
            for rule in triggered {
                guard Self.matches(rule.when, data) else {
                    // An idle rule's trigger that no longer matches (the cart emptied) ends the wait.
                    if rule.idle { try RuleTimers.cancel(rule, customerId: customerId, in: context.db) }
                    continue
                }
                if rule.isTimed {
                    try RuleTimers.start(rule, customerId: customerId, causedBy: received.header.id, data: data, now: clock.now(), in: context.db)
                } else {
                    try notify(customerId, rule: rule, causedBy: received.header.id, data: data, emitter: context)
                }
            }
        }
    }

    /// Records the notification `rule` makes of the event `eventId` for `customer` — a live
    /// customer's current id (``KnownCustomers/live(_:in:)``) — unless it exists: chosen
    /// channel, rendered words, and — for a delivered channel — due now.
    func notify(_ customer: String, rule: NotificationRule, causedBy eventId: String, data: JSONValue, emitter: some EventEmitting) throws {
        let db = emitter.db
        // Never twice: the event's id and the rule key the notification, whatever replays.
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM notification WHERE causedBy = ? AND ruleId = ?"),
                                arguments: [eventId, rule.ruleId]) != true else {
            return
        }
        let reach = try Contacts.reach(customer, in: db)
        let (channel, refusal) = reach.channel(for: rule.purpose)
        let rendered = channel == nil ? nil : rules.render(rule.template, locale: reach.locale,
                                                          data: ["event": Self.mustacheValue(data), "customerId": customer])
        let now = clock.now()
        var status = NotificationStatus.queued
        var reason: String?
        var dueAt: Int64?
        switch channel {
        case nil: (status, reason) = (.suppressed, refusal)
        case .inApp?: status = .sent
        case let other? where deliverable.contains(other): dueAt = now
        case let other?: reason = "no \(other.rawValue) delivery adapter is configured; it waits for one"
        }
        let id = "ntf_" + UUID().uuidString.lowercased()
        let change = NotificationsEvent.NotificationChanged(notificationId: id, customerId: customer, ruleId: rule.ruleId,
                                                            purpose: rule.purpose, channel: channel, status: status, reason: reason)
        // The events first: the row keeps the sequence of its status event (for the snapshot).
        let sequence: Int64
        switch status {
        case .suppressed: sequence = try emitter.emit(NotificationsEvent.NotificationSuppressed(change), customerId: customer)
        case .sent:
            try emitter.emit(NotificationsEvent.InboxPosted(notificationId: id, customerId: customer, subject: rendered?.subject, body: rendered?.body),
                             customerId: customer)
            sequence = try emitter.emit(NotificationsEvent.NotificationSent(change), customerId: customer)
        default: sequence = try emitter.emit(NotificationsEvent.NotificationQueued(change), customerId: customer)
        }
        try db.cachedStatement(sql: """
            INSERT INTO notification (id, customerId, ruleId, purpose, channel, address, locale, subject, body, status, reason, causedBy,
                                      createdAt, updatedAt, dueAt, sentAt, firstSequence, lastSequence, lastStatus, lastReason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, customer, rule.ruleId, rule.purpose.rawValue, channel?.rawValue, channel.flatMap(reach.address(for:)),
                             rendered?.locale ?? NotificationRules.defaultLocale, rendered?.subject, rendered?.body, status.rawValue, reason,
                             eventId, now, now, dueAt, status == .sent ? now : nil, sequence, sequence, status.rawValue, reason])
    }

    /// Whether the event's `data` meets every condition: the value at the dotted path (any
    /// element, through arrays) equals the pattern, or starts with it when it ends in `*`.
    static func matches(_ conditions: [String: String], _ data: JSONValue) -> Bool {
        conditions.allSatisfy { path, pattern in
            values(at: path.split(separator: ".").map(String.init)[...], in: data).contains { value in
                pattern.hasSuffix("*") ? value.hasPrefix(pattern.dropLast()) : value == pattern
            }
        }
    }

    private static func values(at path: ArraySlice<String>, in value: JSONValue) -> [String] {
        switch value {
        case .array(let elements): return elements.flatMap { values(at: path, in: $0) }
        case .object(let fields): return path.first.flatMap { fields[$0] }.map { values(at: path.dropFirst(), in: $0) } ?? []
        case .string(let string) where path.isEmpty: return [string]
        case .integer(let integer) where path.isEmpty: return [String(integer)]
        case .bool(let bool) where path.isEmpty: return [String(bool)]
        default: return []
        }
    }

    /// A JSON value as the Mustache renderer reads it (integers without a decimal point).
    static func mustacheValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: ""
        case .bool(let bool): bool
        case .integer(let integer): integer
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? Int64(number) as Any : number
        case .string(let string): string
        case .array(let array): array.map(mustacheValue)
        case .object(let object): object.mapValues(mustacheValue)
        }
    }
}
