/// The identity service's events (source `identity`). Every event's envelope carries the
/// customer id it concerns; personal data (names, identifier values) appears only in the
/// fields marked so, which erasure blanks out in the log (``redacted`` is then true).
public enum IdentityEvent {
    public static let source = "identity"

    /// Every type the service emits.
    public static let all: [any EventContract.Type] = [
        CustomerCreated.self, ProfileUpdated.self, IdentifierLinked.self, CustomersMerged.self, ConsentChanged.self,
        PreferencesChanged.self, CustomerErased.self,
    ]

    /// `customer.created`: a profile exists; `provisional` until a verified e-mail, phone
    /// or loyalty card is linked.
    public struct CustomerCreated: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.created"

        public var customerId: String
        public var status: CustomerStatus
        public init(customerId: String, status: CustomerStatus) {
            self.customerId = customerId
            self.status = status
        }
    }

    /// `customer.profile_updated`: the profile after the change. `displayName` is personal data.
    public struct ProfileUpdated: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.profile_updated"

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
    public struct IdentifierLinked: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.identifier_linked"

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
    public struct CustomersMerged: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.merged"

        public var survivorId: String
        public var mergedId: String
        public init(survivorId: String, mergedId: String) {
            self.survivorId = survivorId
            self.mergedId = mergedId
        }
    }

    /// `customer.consent_changed`.
    public struct ConsentChanged: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.consent_changed"

        public var customerId: String
        public var consent: ConsentState
        public init(customerId: String, consent: ConsentState) {
            self.customerId = customerId
            self.consent = consent
        }
    }

    /// `customer.preferences_changed`: the preferences after the change.
    public struct PreferencesChanged: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.preferences_changed"

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
    public struct CustomerErased: EventContract, Equatable {
        public static let source = IdentityEvent.source
        public static let type = "customer.erased"

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
