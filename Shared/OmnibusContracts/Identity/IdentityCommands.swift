/// The identity service's commands are the ``CommandContract`` types below; this holds
/// their shared limits. Replies of commands that change state carry ids and
/// statuses only, never personal data: they are stored for idempotent retries, and
/// erasure must not have to hunt for them. Personal data is read with `identity.profile.get`.
public enum IdentityCommand {
    /// Every command identity takes.
    public static let all: [any CommandContract.Type] = [
        ResolveIdentifier.self, GetProfile.self, UpdateProfile.self, LinkIdentifier.self, MergeCustomers.self,
        SetConsent.self, SetPreferences.self, EraseCustomer.self,
    ]

    /// The longest display name accepted.
    public static let maxDisplayNameLength = 200
}

/// Finds the customer an identifier leads to. Unknown identifiers get a new provisional
/// profile unless `createIfUnknown` is false (then `not_found`).
public struct ResolveIdentifier: CommandContract {
    public typealias Reply = ResolvedCustomer
    public static let name = "identity.resolve"

    public var identifier: IdentifierInput
    public var createIfUnknown: Bool?
    public init(identifier: IdentifierInput, createIfUnknown: Bool? = nil) {
        self.identifier = identifier
        self.createIfUnknown = createIfUnknown
    }
}

public struct ResolvedCustomer: Codable, Sendable, Equatable {
    public var customerId: String
    public var status: CustomerStatus
    /// True when this request created the profile.
    public var created: Bool
    public init(customerId: String, status: CustomerStatus, created: Bool) {
        self.customerId = customerId
        self.status = status
        self.created = created
    }
}

/// A customer id: a merged-away id is answered with its survivor's profile.
public struct GetProfile: QueryContract {
    public typealias Reply = CustomerProfile
    public static let name = "identity.profile.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// Changes name and locale; a field left out stays as it is.
public struct UpdateProfile: CommandContract {
    public typealias Reply = CustomerRef
    public static let name = "identity.profile.update"

    public var customerId: String
    public var displayName: String?
    /// A BCP 47 tag such as `de-DE`.
    public var locale: String?
    public init(customerId: String, displayName: String? = nil, locale: String? = nil) {
        self.customerId = customerId
        self.displayName = displayName
        self.locale = locale
    }
}

/// Attaches an identifier to a customer. If it already leads to another customer the
/// reply is `conflict`, unless `merge` is true: then the two become one (see ``MergeOutcome``).
public struct LinkIdentifier: CommandContract {
    public typealias Reply = MergeOutcome
    public static let name = "identity.identifier.link"

    public var customerId: String
    public var identifier: IdentifierInput
    public var verified: Bool?
    public var merge: Bool?
    public init(customerId: String, identifier: IdentifierInput, verified: Bool? = nil, merge: Bool? = nil) {
        self.customerId = customerId
        self.identifier = identifier
        self.verified = verified
        self.merge = merge
    }
}

/// Makes `mergedId` part of `survivorId`. Idempotent; chains (A→B, then B→C leaves A at C).
public struct MergeCustomers: CommandContract {
    public typealias Reply = MergeOutcome
    public static let name = "identity.customers.merge"

    public var survivorId: String
    public var mergedId: String
    public init(survivorId: String, mergedId: String) {
        self.survivorId = survivorId
        self.mergedId = mergedId
    }
}

/// Which customer remains after a link or merge, and which ids were merged into it by this
/// request (empty when nothing had to be merged).
public struct MergeOutcome: Codable, Sendable, Equatable {
    public var customerId: String
    public var mergedIds: [String]
    public init(customerId: String, mergedIds: [String]) {
        self.customerId = customerId
        self.mergedIds = mergedIds
    }
}

/// Records one consent decision; `source` defaults to the request's channel.
public struct SetConsent: CommandContract {
    public typealias Reply = CustomerRef
    public static let name = "identity.consent.set"

    public var customerId: String
    public var purpose: ConsentPurpose
    public var channel: ContactChannel
    public var granted: Bool
    public var source: String?
    public init(customerId: String, purpose: ConsentPurpose, channel: ContactChannel, granted: Bool, source: String? = nil) {
        self.customerId = customerId
        self.purpose = purpose
        self.channel = channel
        self.granted = granted
        self.source = source
    }
}

/// Sets the preferred contact channel and quiet hours; a field left out is cleared.
public struct SetPreferences: CommandContract {
    public typealias Reply = CustomerRef
    public static let name = "identity.preferences.set"

    public var customerId: String
    public var preferredChannel: ContactChannel?
    public var quietHours: QuietHours?
    public init(customerId: String, preferredChannel: ContactChannel? = nil, quietHours: QuietHours? = nil) {
        self.customerId = customerId
        self.preferredChannel = preferredChannel
        self.quietHours = quietHours
    }
}

/// Forgets a customer (and every id merged into it). Idempotent.
public struct EraseCustomer: CommandContract {
    public typealias Reply = ErasureOutcome
    public static let name = "identity.customer.erase"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

public struct ErasureOutcome: Codable, Sendable, Equatable {
    public var customerId: String
    public var erasedIds: [String]
    public init(customerId: String, erasedIds: [String]) {
        self.customerId = customerId
        self.erasedIds = erasedIds
    }
}

/// A customer id and where its profile stands, the reply of simple changes.
public struct CustomerRef: Codable, Sendable, Equatable {
    public var customerId: String
    public var status: CustomerStatus
    public init(customerId: String, status: CustomerStatus) {
        self.customerId = customerId
        self.status = status
    }
}

/// Everything identity knows about a customer, for every channel to show the same.
public struct CustomerProfile: Codable, Sendable, Equatable {
    /// The profile's id (the survivor's when the request named a merged-away id).
    public var customerId: String
    public var status: CustomerStatus
    public var displayName: String?
    public var locale: String?
    public var identifiers: [LinkedIdentifier]
    /// Every purpose × channel, defaults included (``ConsentState/changedAt`` nil).
    public var consents: [ConsentState]
    public var preferredChannel: ContactChannel?
    public var quietHours: QuietHours?
    /// Ids merged into this profile, oldest first.
    public var mergedIds: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        customerId: String, status: CustomerStatus, displayName: String?, locale: String?,
        identifiers: [LinkedIdentifier], consents: [ConsentState], preferredChannel: ContactChannel?,
        quietHours: QuietHours?, mergedIds: [String], createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.customerId = customerId
        self.status = status
        self.displayName = displayName
        self.locale = locale
        self.identifiers = identifiers
        self.consents = consents
        self.preferredChannel = preferredChannel
        self.quietHours = quietHours
        self.mergedIds = mergedIds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the customer may be contacted for `purpose` on `channel`.
    public func allows(_ purpose: ConsentPurpose, on channel: ContactChannel) -> Bool {
        consents.first { $0.purpose == purpose && $0.channel == channel }?.granted ?? purpose.grantedByDefault
    }
}

/// An identifier as a profile shows it.
public struct LinkedIdentifier: Codable, Sendable, Equatable {
    public var kind: IdentifierKind
    public var value: String
    /// The channel it came from.
    public var channel: String?
    public var verified: Bool
    public var linkedAt: Timestamp
    public init(kind: IdentifierKind, value: String, channel: String?, verified: Bool, linkedAt: Timestamp) {
        self.kind = kind
        self.value = value
        self.channel = channel
        self.verified = verified
        self.linkedAt = linkedAt
    }
}
