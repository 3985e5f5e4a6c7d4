import Foundation

extension CustomerViews {
    /// The events that say where a notification stands (not `inbox.posted`: its words stay
    /// with the app's inbox).
    static let notificationTypes = Set(NotificationsEvent.statusEvents.map { $0.type })

    /// Notifications' events: each notification is kept by id with the status of its latest event.
    mutating func foldNotifications(_ type: String, _ sequence: Int64, _ bytes: Data) throws -> String? {
        guard Self.notificationTypes.contains(type) else { return nil }
        let change = try data(NotificationsEvent.NotificationChanged.self, bytes)
        guard let id = liveTarget(change.customerId) else { return nil }
        views[id]!.record(CustomerView.Notification(
            notificationId: change.notificationId, ruleId: change.ruleId, purpose: change.purpose, channel: change.channel,
            status: change.status, reason: change.reason, firstSequence: sequence, asOf: sequence))
        return id
    }

    /// A customer's notifications as the notifications service holds them (its snapshot):
    /// each recorded as its latest status event would have been, so what the view already
    /// has of them is kept where it is later.
    mutating func foldNotificationsSnapshot(_ record: SnapshotRecord) throws -> String? {
        let state = try record.decode(NotificationsSnapshot.CustomerState.self)
        guard let id = liveTarget(state.customerId) else { return nil }
        for notification in state.notifications { views[id]!.record(notification) }
        return id
    }
}

extension CustomerView {
    /// One notification as its latest event left it.
    public struct Notification: Codable, Sendable, Equatable {
        public var notificationId: String
        public var ruleId: String
        public var purpose: ConsentPurpose
        public var channel: NotificationChannel?
        public var status: NotificationStatus
        public var reason: String?
        /// The notifications log position of its first event, which orders the list.
        public var firstSequence: Int64
        public var asOf: Int64

        public init(notificationId: String, ruleId: String, purpose: ConsentPurpose, channel: NotificationChannel?,
                    status: NotificationStatus, reason: String?, firstSequence: Int64, asOf: Int64) {
            self.notificationId = notificationId
            self.ruleId = ruleId
            self.purpose = purpose
            self.channel = channel
            self.status = status
            self.reason = reason
            self.firstSequence = firstSequence
            self.asOf = asOf
        }
    }

    /// Adds `notification`, or updates the entry of the same id with whichever event is later.
    mutating func record(_ notification: Notification) {
        var combined = notification
        if let index = notifications.firstIndex(where: { $0.notificationId == notification.notificationId }) {
            let existing = notifications.remove(at: index)
            combined = existing.asOf > notification.asOf ? existing : notification
            combined.firstSequence = min(existing.firstSequence, notification.firstSequence)
        }
        let index = notifications.firstIndex { $0.firstSequence < combined.firstSequence } ?? notifications.endIndex
        notifications.insert(combined, at: index)
    }
}
