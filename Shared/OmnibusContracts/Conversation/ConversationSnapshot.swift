/// Conversation's snapshot (docs/CONVERSATION.md): one `customer` record per customer that
/// has touchpoints or cases here, keyed by the customer id the service holds them under now
/// (after merges), in id order; erased customers and cases kept without a customer are left
/// out. It holds exactly the part of ``CustomerView`` that ``CustomerViews`` folds from
/// conversation's events, for a consumer away longer than conversation keeps its events.
public enum ConversationSnapshot {
    /// The snapshot format conversation serves.
    public static let version = 1
    /// The record kind: its `data` is a ``CustomerState``.
    public static let customerKind = "customer"

    /// What the customer view shows of one customer from conversation when the snapshot is taken.
    public struct CustomerState: Codable, Sendable, Equatable {
        /// The customer the touchpoints and cases belong to now.
        public var customerId: String
        /// The newest touchpoints (at most ``ConversationCommand/touchpointsInView``), newest
        /// first by `at`, then id, as recorded (each names the customer it was recorded for).
        public var touchpoints: [Touchpoint]
        /// The customer's cases, each with the state of its latest event, newest opened first:
        /// `openedSequence` is the conversation log position of its `case.opened`, `asOf` that
        /// of its latest case event (0 for events from before the service kept them).
        public var cases: [CustomerView.Case]

        public init(customerId: String, touchpoints: [Touchpoint], cases: [CustomerView.Case]) {
            self.customerId = customerId
            self.touchpoints = touchpoints
            self.cases = cases
        }
    }
}
