/// The identity service's events (source `identity`). Every event's envelope carries the
/// customer id it concerns; personal data (names, identifier values) appears only in the
/// fields marked so, which erasure blanks out in the log (``redacted`` is then true).
public enum IdentityEvent {
    public static let source = "identity"

    public static let customerCreated = "customer.created"
    public static let profileUpdated = "customer.profile_updated"
    public static let identifierLinked = "customer.identifier_linked"
    public static let customersMerged = "customer.merged"
    public static let consentChanged = "customer.consent_changed"
    public static let preferencesChanged = "customer.preferences_changed"
    public static let customerErased = "customer.erased"

    /// Every type the service emits.
    public static let allTypes = [
        customerCreated, profileUpdated, identifierLinked, customersMerged, consentChanged,
        preferencesChanged, customerErased,
    ]

    /// `customer.created`: a profile exists; `provisional` until a verified e-mail, phone
    /// or loyalty card is linked.
    public struct CustomerCreated: Codable, Sendable, Equatable {
        public var customerId: String
        public var status: CustomerStatus
        public init(customerId: String, status: CustomerStatus) {
            self.customerId = customerId
            self.status = status
        }
    }

    /// `customer.profile_updated`: the profile after the change. `displayName` is personal data.
    public struct ProfileUpdated: Codable, Sendable, Equatable {
        public var customerId: String
        public var displayName: String?
        public var locale: String?
        public var status: CustomerStatus
        public var redacted: Bool?
        public init(customerId: String, displayName: String?, locale: String?, status: CustomerStatus) {
            self.customerId = customerId
            self.displayName = displayName
            self.locale = locale
            self.status = status
        }
    }

    /// `customer.identifier_linked`: `value` is personal data.
    public struct IdentifierLinked: Codable, Sendable, Equatable {
        public var customerId: String
        public var kind: IdentifierKind
        public var value: String?
        public var channel: String?
        public var verified: Bool
        public var redacted: Bool?
        public init(customerId: String, kind: IdentifierKind, value: String?, channel: String?, verified: Bool) {
            self.customerId = customerId
            self.kind = kind
            self.value = value
            self.channel = channel
            self.verified = verified
        }
    }

    /// `customer.merged`: `mergedId` is now `survivorId` for good. Every service moves what
    /// it holds under `mergedId` (carts, orders, coupons, conversations, preferences) to the
    /// survivor and maps late events about `mergedId` to it. The envelope's customer id is
    /// the survivor's.
    public struct CustomersMerged: Codable, Sendable, Equatable {
        public var survivorId: String
        public var mergedId: String
        public init(survivorId: String, mergedId: String) {
            self.survivorId = survivorId
            self.mergedId = mergedId
        }
    }

    /// `customer.consent_changed`.
    public struct ConsentChanged: Codable, Sendable, Equatable {
        public var customerId: String
        public var consent: ConsentState
        public init(customerId: String, consent: ConsentState) {
            self.customerId = customerId
            self.consent = consent
        }
    }

    /// `customer.preferences_changed`: the preferences after the change.
    public struct PreferencesChanged: Codable, Sendable, Equatable {
        public var customerId: String
        public var preferredChannel: ContactChannel?
        public var quietHours: QuietHours?
        public init(customerId: String, preferredChannel: ContactChannel?, quietHours: QuietHours?) {
            self.customerId = customerId
            self.preferredChannel = preferredChannel
            self.quietHours = quietHours
        }
    }

    /// `customer.erased`: forget `customerId` and every id merged into it (`erasedIds`,
    /// which includes `customerId`). Each service deletes or anonymises what it holds about
    /// them, including the personal data in its own event log.
    public struct CustomerErased: Codable, Sendable, Equatable {
        public var customerId: String
        public var erasedIds: [String]
        public init(customerId: String, erasedIds: [String]) {
            self.customerId = customerId
            self.erasedIds = erasedIds
        }
    }
}

/// Where a profile stands.
public enum CustomerStatus: String, Codable, Sendable, Hashable {
    /// Created from an identifier alone (a device, a chat id) before anyone logged in.
    case provisional
    /// Has a verified e-mail, phone or loyalty card.
    case registered
    /// Merged into another profile; its id resolves to the survivor.
    case merged
    /// Erased at the customer's request; nothing personal is left.
    case erased
}
