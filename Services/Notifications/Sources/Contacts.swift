import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// How to reach each customer, kept from identity's events: locale, preferred channel,
/// consents, e-mail and phone. Merges move it to the survivor; erasure removes it.
enum Contacts {
    static func register(in registry: inout EventHandlerRegistry) {
        registry.on(IdentityEvent.ProfileUpdated.self) { event, context in
            try ensure(event.data.customerId, in: context.db)
            try context.db.execute(sql: "UPDATE contact SET locale = ? WHERE customerId = ?",
                                   arguments: [event.data.locale, try KnownCustomers.survivor(of: event.data.customerId, in: context.db)])
        }
        registry.on(IdentityEvent.PreferencesChanged.self) { event, context in
            try ensure(event.data.customerId, in: context.db)
            let quietHours = try event.data.quietHours.map { String(decoding: try ContractCoding.encode($0), as: UTF8.self) }
            try context.db.execute(sql: "UPDATE contact SET preferredChannel = ?, quietHours = ? WHERE customerId = ?",
                                   arguments: [event.data.preferredChannel?.rawValue, quietHours,
                                               try KnownCustomers.survivor(of: event.data.customerId, in: context.db)])
        }
        registry.on(IdentityEvent.ConsentChanged.self) { event, context in
            let consent = event.data.consent
            try context.db.execute(sql: """
                INSERT OR REPLACE INTO contactConsent (customerId, purpose, channel, granted) VALUES (?, ?, ?, ?)
                """, arguments: [try KnownCustomers.survivor(of: event.data.customerId, in: context.db), consent.purpose.rawValue,
                                 consent.channel.rawValue, consent.granted])
        }
        registry.on(IdentityEvent.IdentifierLinked.self) { event, context in
            guard let value = event.data.value, Reach.addressKinds.values.contains(event.data.kind) else { return }
            try context.db.execute(sql: "INSERT OR REPLACE INTO contactAddress (customerId, kind, value) VALUES (?, ?, ?)",
                                   arguments: [try KnownCustomers.survivor(of: event.data.customerId, in: context.db), event.data.kind.rawValue, value])
        }
        registry.on(IdentityEvent.CustomersMerged.self) { event, context in
            try merge(event.data.mergedId, into: event.data.survivorId, in: context.db)
        }
        registry.on(IdentityEvent.CustomerErased.self) { event, context in
            try erase(event.data, emitter: context)
        }
        registry.ignoreUnhandled(IdentityEvent.all)
        registry.onSnapshot(of: IdentityEvent.source, kind: IdentitySnapshot.customerKind) { records, context in
            for state in try KnownCustomers.fold(records, in: context.db, merge: { try merge($0, into: $1, in: context.db) },
                                                 erase: { try erase($0, emitter: context) }) {
                try fold(state, in: context.db)
            }
        }
    }

    /// A live customer of identity's snapshot, for a notifications service away longer than
    /// identity keeps its events: locale, preferences, consents and addresses set to identity's
    /// (the merges and erasures missed are done by ``KnownCustomers/fold(_:in:merge:erase:)``).
    static func fold(_ state: IdentitySnapshot.CustomerState, in db: Database) throws {
        let quietHours = try state.quietHours.map { String(decoding: try ContractCoding.encode($0), as: UTF8.self) }
        let hasContact = try Bool.fetchOne(db, sql: "SELECT 1 FROM contact WHERE customerId = ?", arguments: [state.customerId]) == true
        if state.locale != nil || state.preferredChannel != nil || quietHours != nil || hasContact {
            try db.execute(sql: "INSERT OR REPLACE INTO contact (customerId, locale, preferredChannel, quietHours) VALUES (?, ?, ?, ?)",
                           arguments: [state.customerId, state.locale, state.preferredChannel?.rawValue, quietHours])
        }
        for consent in state.consents {
            try db.execute(sql: "INSERT OR REPLACE INTO contactConsent (customerId, purpose, channel, granted) VALUES (?, ?, ?, ?)",
                           arguments: [state.customerId, consent.purpose.rawValue, consent.channel.rawValue, consent.granted])
        }
        for identifier in state.identifiers where Reach.addressKinds.values.contains(identifier.kind) {
            try db.execute(sql: "INSERT OR REPLACE INTO contactAddress (customerId, kind, value) VALUES (?, ?, ?)",
                           arguments: [state.customerId, identifier.kind.rawValue, identifier.value])
        }
    }

    /// Where to reach a customer.
    struct Reach {
        var locale: String?
        var preferred: ContactChannel?
        var consents: [ConsentPurpose: [ContactChannel: Bool]]
        var addresses: [IdentifierKind: String]
        /// The customer's own quiet hours, if they set them.
        var quietHours: QuietHours?

        func consented(_ purpose: ConsentPurpose, _ channel: ContactChannel) -> Bool {
            consents[purpose]?[channel] ?? purpose.grantedByDefault
        }

        /// Which identifier addresses each channel: push goes to the app on a device, messenger
        /// to the customer's messenger id.
        static let addressKinds: [ContactChannel: IdentifierKind] = [.email: .email, .sms: .phone, .push: .device, .messenger: .messenger]

        /// The channel a notification for `purpose` goes to: the preferred one, else the first
        /// of e-mail and SMS, that is consented and has an address; for service messages the
        /// in-app inbox when none is; nil (with why) when nothing may be sent.
        func channel(for purpose: ConsentPurpose) -> (NotificationChannel?, reason: String?) {
            for channel in ([preferred].compactMap { $0 } + [.email, .sms]) {
                guard let kind = Self.addressKinds[channel], addresses[kind] != nil, consented(purpose, channel) else { continue }
                return (NotificationChannel(rawValue: channel.rawValue), nil)
            }
            if purpose == .service { return (.inApp, nil) }
            return (nil, "no channel with \(purpose.rawValue) consent and an address")
        }

        /// Where `channel` reaches the customer: the e-mail address, phone number, device or messenger id.
        func address(for channel: NotificationChannel) -> String? {
            ContactChannel(rawValue: channel.rawValue).flatMap { Self.addressKinds[$0] }.flatMap { addresses[$0] }
        }

        /// Whether `channel` may still carry a message for `purpose` (consent can be withdrawn while it waits).
        func consented(_ purpose: ConsentPurpose, _ channel: NotificationChannel) -> Bool {
            ContactChannel(rawValue: channel.rawValue).map { consented(purpose, $0) } ?? true
        }
    }

    static func reach(_ customerId: String, in db: Database) throws -> Reach {
        // Cached statements: this runs for every notification made and every try claimed.
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT locale, preferredChannel, quietHours FROM contact WHERE customerId = ?"),
                                   arguments: [customerId])
        var consents: [ConsentPurpose: [ContactChannel: Bool]] = [:]
        for consent in try Row.fetchAll(db.cachedStatement(sql: "SELECT purpose, channel, granted FROM contactConsent WHERE customerId = ?"),
                                        arguments: [customerId]) {
            if let purpose = ConsentPurpose(rawValue: consent["purpose"]), let channel = ContactChannel(rawValue: consent["channel"]) {
                consents[purpose, default: [:]][channel] = consent["granted"]
            }
        }
        var addresses: [IdentifierKind: String] = [:]
        for address in try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, value FROM contactAddress WHERE customerId = ?"),
                                        arguments: [customerId]) {
            if let kind = IdentifierKind(rawValue: address["kind"]) { addresses[kind] = address["value"] }
        }
        return Reach(locale: row?["locale"], preferred: (row?["preferredChannel"] as String?).flatMap(ContactChannel.init(rawValue:)),
                     consents: consents, addresses: addresses,
                     quietHours: try (row?["quietHours"] as String?).map { try ContractCoding.decode(QuietHours.self, from: Data($0.utf8)) })
    }

    private static func ensure(_ customerId: String, in db: Database) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO contact (customerId) VALUES (?)", arguments: [try KnownCustomers.survivor(of: customerId, in: db)])
    }

    /// The survivor keeps its own settings and takes the merged customer's where it has none.
    static func merge(_ mergedId: String, into survivorId: String, in db: Database) throws {
        guard let survivor = try KnownCustomers.merge(mergedId, into: survivorId, in: db) else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO contact (customerId) VALUES (?)", arguments: [survivor])
        try db.execute(sql: """
            UPDATE contact SET locale = COALESCE(locale, (SELECT locale FROM contact WHERE customerId = :merged)),
                preferredChannel = COALESCE(preferredChannel, (SELECT preferredChannel FROM contact WHERE customerId = :merged)),
                quietHours = COALESCE(quietHours, (SELECT quietHours FROM contact WHERE customerId = :merged))
            WHERE customerId = :survivor
            """, arguments: ["merged": mergedId, "survivor": survivor])
        try db.execute(sql: "DELETE FROM contact WHERE customerId = ?", arguments: [mergedId])
        try db.execute(sql: "UPDATE OR IGNORE contactConsent SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        try db.execute(sql: "DELETE FROM contactConsent WHERE customerId = ?", arguments: [mergedId])
        try db.execute(sql: "UPDATE contactAddress SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        try db.execute(sql: "UPDATE notification SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        try RuleTimers.merge(mergedId, into: survivor, in: db)
    }

    private static let statusTypes = Set(NotificationsEvent.statusEvents.map { $0.type })

    /// Addresses, consents and settings deleted; waiting messages and timers cancelled; the log
    /// kept without customer, address or words; the inbox messages in this service's own log redacted.
    static func erase(_ erased: IdentityEvent.CustomerErased, emitter: some EventEmitting) throws {
        let db = emitter.db
        let ids = try KnownCustomers.recordErasure(erased, in: db)
        for table in ["contact", "contactConsent", "contactAddress"] {
            try db.execute(literal: "DELETE FROM \(identifier: table) WHERE customerId IN \(ids)")
        }
        try db.execute(literal: "DELETE FROM ruleTimer WHERE customerId IN \(ids)")
        try db.execute(literal: """
            UPDATE notification SET status = 'cancelled', reason = 'the customer was erased', dueAt = NULL, claimedAt = NULL
            WHERE customerId IN \(ids) AND status IN ('queued', 'deferred')
            """)
        // A provider's refusal may quote the address: reasons go too.
        try db.execute(literal: """
            UPDATE notification SET customerId = NULL, subject = NULL, body = NULL, address = NULL, reason = NULL, lastReason = NULL,
                updatedAt = \(Timestamp.now().millisecondsSince1970)
            WHERE customerId IN \(ids)
            """)
        try Erasure.redactEvents(of: ids, in: db) { type, data in
            guard case .object(var fields) = data else { return nil }
            if type == NotificationsEvent.InboxPosted.type {
                fields["subject"] = .null
                fields["body"] = .null
            } else if statusTypes.contains(type), fields["reason"] != nil {
                fields["reason"] = .null
            } else {
                return nil
            }
            return .object(fields)
        }
        try Erasure.requestCompaction(in: db)
        try emitter.emit(NotificationsEvent.CustomerDataErased(erasedIds: ids), customerId: erased.customerId)
    }
}
