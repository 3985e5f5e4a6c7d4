/// Identity's snapshot (docs/IDENTITY.md): one `customer` record per customer id it ever
/// handed out, keyed by the id, in id order. What a consumer keeps of identity — merges,
/// erasures, contact details, consents — it rebuilds from these when it was away longer than
/// identity keeps its events.
public enum IdentitySnapshot {
    /// The snapshot format identity serves.
    public static let version = 1
    /// The record kind: its `data` is a ``CustomerState``.
    public static let customerKind = "customer"

    /// A customer as identity knows it when the snapshot is taken.
    public struct CustomerState: Codable, Sendable, Equatable {
        public var customerId: String
        public var status: CustomerStatus
        /// The profile it was merged into (status `merged`); follow it for the survivor.
        public var mergedInto: String?
        public var displayName: String?
        public var locale: String?
        public var preferredChannel: ContactChannel?
        public var quietHours: QuietHours?
        /// Its identifiers (none once merged away or erased: they moved or went).
        public var identifiers: [LinkedIdentifier]
        /// The consents someone set (defaults are left out: ``ConsentPurpose/grantedByDefault``).
        public var consents: [ConsentState]

        public init(customerId: String, status: CustomerStatus, mergedInto: String?, displayName: String?, locale: String?,
                    preferredChannel: ContactChannel?, quietHours: QuietHours?, identifiers: [LinkedIdentifier],
                    consents: [ConsentState]) {
            self.customerId = customerId
            self.status = status
            self.mergedInto = mergedInto
            self.displayName = displayName
            self.locale = locale
            self.preferredChannel = preferredChannel
            self.quietHours = quietHours
            self.identifiers = identifiers
            self.consents = consents
        }
    }
}
