import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// `conversation.context.get`: the customer as every channel sees them, folded with the
/// shared ``CustomerViews`` from the events this service holds — other services' events
/// about the customer (kept as received, `contextEvent`) and its own — so it answers from
/// its own database while another service is down, and says how far it got from each.
enum Context {
    static func register(in registry: inout CommandRegistry) {
        registry.register(GetContext.self) { input, context in
            try build(for: input.customerId, in: context.db)
        }
    }

    /// Keeps an event received (its header and exact bytes), when it is about a customer, for
    /// the fold — not about an erased one (another service may replay it after the erasure).
    static func keep(_ header: EventHeader, _ envelope: Data, in db: Database) throws {
        guard let customerId = header.customerId,
              try !KnownCustomers.isErased(customerId, in: db), try KnownCustomers.live(customerId, in: db) != nil else { return }
        try db.execute(sql: "INSERT OR IGNORE INTO contextEvent (source, sequence, customerId, envelope) VALUES (?, ?, ?, ?)",
                       arguments: [header.source, header.sequence, customerId, envelope])
    }

    static func build(for id: String, in db: Database) throws -> CustomerContext {
        let customerId = try KnownCustomers.current(id, in: db)
        let ids = [customerId] + (try KnownCustomers.mergedIds(into: customerId, in: db))
        let theirs = try Data.fetchAll(db, SQLRequest<Data>("SELECT envelope FROM contextEvent WHERE customerId IN \(ids) ORDER BY source, sequence"))
        // Message events change no view (their text stays here): leaving them out keeps a long
        // conversation's context as cheap as a short one's.
        let ours = try Data.fetchAll(db, SQLRequest<Data>("""
            SELECT envelope FROM outbox WHERE customerId IN \(ids) AND type <> \(ConversationEvent.MessageRecorded.type) ORDER BY sequence
            """))
        var views = CustomerViews()
        for envelope in theirs + ours { try views.apply(envelope) }
        var applied = try InboxOffsets.all(in: db)
        applied[ConversationEvent.source] = try Outbox.head(in: db)
        return CustomerContext(customerId: customerId, view: views.view(of: customerId) ?? CustomerView(customerId: customerId),
                               applied: applied)
    }
}

/// The other services' events: each one about a customer is kept for the context; identity's
/// merges, erasures and linked identifiers also change this service's own records.
enum Reactions {
    static func register(in registry: inout EventHandlerRegistry) {
        for type in OrdersEvent.all + CouponsEvent.all + NotificationsEvent.statusEvents { keep(type, in: &registry) }
        registry.ignoreUnhandled(NotificationsEvent.all)
        for type in [IdentityEvent.CustomerCreated.self, IdentityEvent.ProfileUpdated.self, IdentityEvent.ConsentChanged.self,
                     IdentityEvent.PreferencesChanged.self] as [any EventContract.Type] {
            keep(type, in: &registry)
        }
        registry.onRaw(IdentityEvent.IdentifierLinked.self) { received, context in
            try Context.keep(received.header, received.envelope, in: context.db)
            try IdentityReactions.linked(try received.decode(IdentityEvent.IdentifierLinked.self).data, emitter: context)
        }
        registry.onRaw(IdentityEvent.CustomersMerged.self) { received, context in
            try Context.keep(received.header, received.envelope, in: context.db)
            let merge = try received.decode(IdentityEvent.CustomersMerged.self).data
            try IdentityReactions.merge(merge.mergedId, into: merge.survivorId, emitter: context)
        }
        registry.on(IdentityEvent.CustomerErased.self) { event, context in
            try IdentityReactions.erase(event.data, emitter: context)
        }
        registry.onSnapshot(of: IdentityEvent.source, kind: IdentitySnapshot.customerKind) { records, context in
            try IdentityReactions.fold(records, emitter: context)
        }
    }

    private static func keep<Event: EventContract>(_ type: Event.Type, in registry: inout EventHandlerRegistry) {
        registry.onRaw(type) { received, context in try Context.keep(received.header, received.envelope, in: context.db) }
    }
}
