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
        /// The id identity gave out.
        public var customerId: String
        /// `provisional`, `registered`, `merged` or `erased`.
        public var status: CustomerStatus
        /// The profile it was merged into (status `merged`); follow it for the survivor.
        public var mergedInto: String?
        /// Personal data: what the customer is called.
        public var displayName: String?
        /// A BCP 47 tag such as `de-DE`.
        public var locale: String?
        /// Where the customer prefers to be contacted.
        public var preferredChannel: ContactChannel?
        /// When not to contact the customer.
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
