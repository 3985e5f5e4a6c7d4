import GRDB
import OmnibusContracts
import OmnibusService

/// `identity.customer.erase`: the right to be forgotten.
enum ErasureCommand {
    static func register(in registry: inout CommandRegistry) {
        registry.register(EraseCustomer.self) { input, context in
            try erase(input, context: context)
        }
    }

    /// Deletes every identifier and consent, blanks the profile of the customer and every id
    /// merged into it, redacts the personal fields of their logged events, announces
    /// `customer.erased` and asks for the WAL to be emptied. Erasing again changes nothing.
    static func erase(_ input: EraseCustomer, context: CommandContext) throws -> ErasureOutcome {
        let db = context.db
        let customer = try CustomerDirectory.current(input.customerId, in: db)
        let ids = [customer.id] + (try CustomerDirectory.mergedIds(into: customer.id, in: db))
        guard customer.status != .erased else { return ErasureOutcome(customerId: customer.id, erasedIds: ids) }

        // GRDB's SQL interpolation binds each id as an argument: `IN (?, ?, …)`.
        try db.execute(literal: "DELETE FROM identifier WHERE customerId IN \(ids)")
        try db.execute(literal: "DELETE FROM consent WHERE customerId IN \(ids)")
        try db.execute(literal: """
            UPDATE customer SET status = \(CustomerStatus.erased.rawValue), displayName = NULL, locale = NULL,
              preferredChannel = NULL, quietHoursStart = NULL, quietHoursEnd = NULL, quietHoursTimeZone = NULL,
              updatedAt = \(Timestamp.now().millisecondsSince1970)
            WHERE id IN \(ids)
            """)
        try Erasure.redactEvents(of: ids, in: db, redact: redactPersonalFields)
        try Erasure.forgetStoredReplies(of: ids, in: db)
        try context.emit(IdentityEvent.CustomerErased(customerId: customer.id, erasedIds: ids), customerId: customer.id)
        try Erasure.requestCompaction(in: db)
        return ErasureOutcome(customerId: customer.id, erasedIds: ids)
    }

    /// The fields of identity's events that hold personal data, blanked and marked redacted.
    static let personalFields: [String: [String]] = [
        IdentityEvent.ProfileUpdated.type: ["displayName"],
        IdentityEvent.IdentifierLinked.type: ["value"],
        IdentityEvent.PreferencesChanged.type: ["quietHours"],
    ]

    static func redactPersonalFields(type: String, data: JSONValue) -> JSONValue? {
        guard let fields = personalFields[type], case .object(var object) = data else { return nil }
        for field in fields { object[field] = .null }
        object["redacted"] = .bool(true)
        return .object(object)
    }
}
