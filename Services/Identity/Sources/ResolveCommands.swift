import GRDB
import OmnibusContracts
import OmnibusService

/// `identity.resolve` and `identity.identifier.link`.
enum ResolveCommands {
    static func register(in registry: inout CommandRegistry) {
        registry.register(ResolveIdentifier.self) { input, context in
            try resolve(input, context: context)
        }
        registry.register(LinkIdentifier.self) { input, context in
            try link(input, context: context)
        }
    }

    /// Commands of one writer run one after another, so two channels resolving the same new
    /// identifier at once meet here in turn: the first creates, the second finds.
    static func resolve(_ input: ResolveIdentifier, context: CommandContext) throws -> ResolvedCustomer {
        let identifier = try input.identifier.parsed()
        let db = context.db
        if let owner = try CustomerDirectory.owner(of: identifier, in: db) {
            let customer = try CustomerDirectory.current(owner.customerId, in: db)
            return ResolvedCustomer(customerId: customer.id, status: customer.status, created: false)
        }
        guard input.createIfUnknown ?? true else {
            throw OmnibusError(.notFound, "no customer has this \(identifier.kind.rawValue) identifier")
        }
        let now = Timestamp.now()
        let customer = CustomerRecord.new(id: CustomerDirectory.newCustomerId(), at: now)
        try customer.insert(db)
        try context.emit(IdentityEvent.CustomerCreated(customerId: customer.id, status: customer.status),
                         customerId: customer.id)
        try attach(identifier, to: customer.id, verified: false, at: now, context: context)
        return ResolvedCustomer(customerId: customer.id, status: customer.status, created: true)
    }

    static func link(_ input: LinkIdentifier, context: CommandContext) throws -> MergeOutcome {
        let identifier = try input.identifier.parsed()
        let db = context.db
        let customer = try CustomerDirectory.active(input.customerId, in: db)
        let verified = input.verified ?? false
        let now = Timestamp.now()
        guard let owner = try CustomerDirectory.owner(of: identifier, in: db) else {
            try attach(identifier, to: customer.id, verified: verified, at: now, context: context)
            try Merging.promoteIfIdentified(customer.id, context: context)
            return MergeOutcome(customerId: customer.id, mergedIds: [])
        }
        let holder = try CustomerDirectory.active(owner.customerId, in: db)
        var survivorId = customer.id
        var mergedIds: [String] = []
        if holder.id != customer.id {
            guard input.merge == true else {
                throw OmnibusError(.conflict, "the \(identifier.kind.rawValue) belongs to another customer; send merge: true to merge the two")
            }
            // A provisional profile always joins a registered one; otherwise the customer that
            // already holds the identifier stays, as it is the one others know.
            let (survivor, merged) = customer.status == .registered && holder.status == .provisional
                ? (customer, holder) : (holder, customer)
            try Merging.merge(merged, into: survivor, context: context)
            survivorId = survivor.id
            mergedIds = [merged.id]
        }
        if verified && !owner.verified {
            var record = owner
            record.customerId = survivorId
            record.verified = true
            try record.update(db)
            let event = IdentityEvent.IdentifierLinked(
                customerId: survivorId, kind: identifier.kind, value: identifier.value, channel: record.channel, verified: true)
            try context.emit(event, customerId: survivorId)
        }
        try Merging.promoteIfIdentified(survivorId, context: context)
        return MergeOutcome(customerId: survivorId, mergedIds: mergedIds)
    }

    /// Stores a new identifier for `customerId` and says so in an event.
    static func attach(_ identifier: Identifier, to customerId: String, verified: Bool, at now: Timestamp, context: CommandContext) throws {
        let record = IdentifierRecord(
            kind: identifier.kind, value: identifier.value, customerId: customerId, channel: context.channel,
            verified: verified, linkedAt: now.millisecondsSince1970)
        try record.insert(context.db)
        let event = IdentityEvent.IdentifierLinked(
            customerId: customerId, kind: identifier.kind, value: identifier.value, channel: context.channel, verified: verified)
        try context.emit(event, customerId: customerId)
    }
}
