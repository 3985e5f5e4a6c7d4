import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// Turns the events the rules name into notifications: once per event and rule, on the
/// customer's preferred consented channel, rendered in their language.
enum Dispatch {
    /// The sources whose events may trigger a rule; every type of theirs is handled (most do nothing).
    static let triggeringTypes: [any EventContract.Type] = OrdersEvent.all + CouponsEvent.all + ConversationEvent.all

    static func register(in registry: inout EventHandlerRegistry, rules: NotificationRules) {
        for type in triggeringTypes { handle(type, in: &registry, rules: rules) }
    }

    private static func handle<Event: EventContract>(_ type: Event.Type, in registry: inout EventHandlerRegistry, rules: NotificationRules) {
        registry.onRaw(type) { received, context in
            let matching = rules.rules(for: received.header.topic)
            guard !matching.isEmpty, let customerId = received.header.customerId else { return }
            let data = try received.decode(JSONValue.self).data
            for rule in matching {
                try notify(customerId, rule: rule, causedBy: received.header.id, data: data, rules: rules, emitter: context)
            }
        }
    }

    static func notify(_ customerId: String, rule: NotificationRule, causedBy eventId: String, data: JSONValue,
                       rules: NotificationRules, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customer = try KnownCustomers.live(customerId, in: db) else { return }
        // Never twice: the event's id and the rule key the notification, whatever replays.
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM notification WHERE causedBy = ? AND ruleId = ?", arguments: [eventId, rule.ruleId]) != true else {
            return
        }
        let reach = try Contacts.reach(customer, in: db)
        let (channel, refusal) = reach.channel(for: rule.purpose)
        let rendered = channel == nil ? nil : rules.render(rule.template, locale: reach.locale,
                                                          data: ["event": mustacheValue(data), "customerId": customer])
        let status: NotificationStatus
        let reason: String?
        switch channel {
        case nil: (status, reason) = (.suppressed, refusal)
        case .inApp?: (status, reason) = (.sent, nil)
        case let other?: (status, reason) = (.queued, "no \(other.rawValue) delivery adapter is configured yet")
        }
        let now = Timestamp.now().millisecondsSince1970
        let id = "ntf_" + UUID().uuidString.lowercased()
        try db.execute(sql: """
            INSERT INTO notification (id, customerId, ruleId, purpose, channel, locale, subject, body, status, reason, causedBy, createdAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, customer, rule.ruleId, rule.purpose.rawValue, channel?.rawValue, rendered?.locale ?? NotificationRules.defaultLocale,
                             rendered?.subject, rendered?.body, status.rawValue, reason, eventId, now, now])
        let change = NotificationsEvent.NotificationChanged(notificationId: id, customerId: customer, ruleId: rule.ruleId,
                                                            purpose: rule.purpose, channel: channel, status: status, reason: reason)
        switch status {
        case .suppressed: try emitter.emit(NotificationsEvent.NotificationSuppressed(change), customerId: customer)
        case .queued: try emitter.emit(NotificationsEvent.NotificationQueued(change), customerId: customer)
        case .sent:
            try emitter.emit(NotificationsEvent.InboxPosted(notificationId: id, customerId: customer, subject: rendered?.subject, body: rendered?.body),
                             customerId: customer)
            try emitter.emit(NotificationsEvent.NotificationSent(change), customerId: customer)
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
