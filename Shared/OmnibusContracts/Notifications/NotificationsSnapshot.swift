/// The notifications service's snapshot (docs/NOTIFICATIONS.md, "Snapshot"): one `customer`
/// record per customer with a notification in the log, keyed by the customer id, in id
/// order — the notifications a ``CustomerView`` shows, as the status events would have
/// folded them. For a front end that was away longer than notifications keeps its events.
public enum NotificationsSnapshot {
    /// The snapshot format notifications serves.
    public static let version = 1
    /// The record kind: its `data` is a ``CustomerState``.
    public static let customerKind = "customer"

    /// A customer's notifications when the snapshot is taken.
    public struct CustomerState: Codable, Sendable, Equatable {
        /// The customer the notifications service holds them under (a merge's survivor).
        public var customerId: String
        /// Newest first, as in ``CustomerView/notifications``: each with the status, reason and
        /// channel of its latest status event; `firstSequence` and `asOf` are the positions in
        /// notifications' log of its first and latest status events (0 for what was written
        /// before the service recorded them). An erased customer's notifications are not listed.
        public var notifications: [CustomerView.Notification]

        public init(customerId: String, notifications: [CustomerView.Notification]) {
            self.customerId = customerId
            self.notifications = notifications
        }
    }
}
