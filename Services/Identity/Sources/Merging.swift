import GRDB
import OmnibusContracts
import OmnibusService

/// `identity.customers.merge`, and the merge that `link` with `merge: true` performs.
enum Merging {
    static func register(in registry: inout CommandRegistry) {
        registry.register(MergeCustomers.self) { input, context in
            let survivor = try CustomerDirectory.active(input.survivorId, in: context.db)
            let merged = try CustomerDirectory.active(input.mergedId, in: context.db)
            // Already one customer (the same id, or merged before): nothing to do, same answer.
            guard survivor.id != merged.id else { return MergeOutcome(customerId: survivor.id, mergedIds: []) }
            try merge(merged, into: survivor, context: context)
            try promoteIfIdentified(survivor.id, context: context)
            return MergeOutcome(customerId: survivor.id, mergedIds: [merged.id])
        }
    }

    /// Moves everything of `merged` to `survivor` (both current, distinct, not erased, as just
    /// read in this transaction): identifiers, consent decisions the survivor has not made
    /// more recently, name, locale and preferences the survivor lacks. Ids merged into `merged` earlier now point at
    /// the survivor, so every id resolves in one hop and chains (A→B, B→C) end at C.
    static func merge(_ merged: CustomerRecord, into survivor: CustomerRecord, context: CommandContext) throws {
        let db = context.db
        let now = Timestamp.now()
        var (survivor, merged) = (survivor, merged)
        let (survivorId, mergedId) = (survivor.id, merged.id)

        try db.execute(sql: "UPDATE identifier SET customerId = ? WHERE customerId = ?", arguments: [survivorId, mergedId])
        try db.execute(sql: "UPDATE customer SET mergedInto = ? WHERE mergedInto = ?", arguments: [survivorId, mergedId])
        try adoptConsents(from: mergedId, into: survivorId, context: context)

        let before = survivor
        survivor.displayName = survivor.displayName ?? merged.displayName
        survivor.locale = survivor.locale ?? merged.locale
        if survivor.preferredChannel == nil && survivor.quietHours == nil {
            survivor.preferredChannel = merged.preferredChannel
            survivor.quietHours = merged.quietHours
        }
        survivor.updatedAt = now.millisecondsSince1970
        try survivor.update(db)

        merged.status = .merged
        merged.mergedInto = survivorId
        merged.displayName = nil
        merged.locale = nil
        merged.preferredChannel = nil
        merged.quietHours = nil
        merged.updatedAt = now.millisecondsSince1970
        try merged.update(db)

        try context.emit(IdentityEvent.CustomersMerged(survivorId: survivorId, mergedId: mergedId), customerId: survivorId)
        if before.displayName != survivor.displayName || before.locale != survivor.locale {
            try ProfileCommands.emitProfile(survivor, context: context)
        }
        if before.preferredChannel != survivor.preferredChannel || before.quietHours != survivor.quietHours {
            try ProfileCommands.emitPreferences(survivor, context: context)
        }
    }

    /// The latest decision per purpose and channel wins; adopted ones are announced for the survivor.
    private static func adoptConsents(from mergedId: String, into survivorId: String, context: CommandContext) throws {
        let db = context.db
        let survivorConsents = try ConsentRecord.filter(Column("customerId") == survivorId).fetchAll(db)
        for var consent in try ConsentRecord.filter(Column("customerId") == mergedId).fetchAll(db) {
            try consent.delete(db)
            let existing = survivorConsents.first { $0.purpose == consent.purpose && $0.channel == consent.channel }
            if let existing, existing.changedAt >= consent.changedAt { continue }
            consent.customerId = survivorId
            try consent.save(db)
            if existing?.granted != consent.granted {
                try context.emit(IdentityEvent.ConsentChanged(customerId: survivorId, consent: consent.state),
                                 customerId: survivorId)
            }
        }
    }

    /// A provisional customer with a verified e-mail, phone or loyalty card becomes registered.
    static func promoteIfIdentified(_ customerId: String, context: CommandContext) throws {
        guard var customer = try CustomerDirectory.record(customerId, in: context.db), customer.status == .provisional,
              try CustomerDirectory.hasVerifiedPersonIdentifier(customerId, in: context.db)
        else { return }
        customer.status = .registered
        customer.updatedAt = Timestamp.now().millisecondsSince1970
        try customer.update(context.db)
        try ProfileCommands.emitProfile(customer, context: context)
    }
}
