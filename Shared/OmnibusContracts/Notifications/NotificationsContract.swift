/// Where a notification goes: one of the customer's contact channels, or the in-app inbox.
public enum NotificationChannel: String, Codable, Sendable, CaseIterable {
    case email, sms, push, messenger
    /// The app's inbox, published on the bus (`inbox.posted`) for the app front end to follow.
    case inApp = "in_app"
}

/// Where a notification stands.
public enum NotificationStatus: String, Codable, Sendable {
    /// Chosen and rendered; waiting for its channel's delivery (or its next try).
    case queued
    /// Held back by quiet hours or the frequency cap until `dueAt`; sent then, never dropped.
    case deferred
    /// Delivered (for the inbox: posted on the bus).
    case sent
    /// Not sent, and never will be: no consented channel (marketing without consent).
    case suppressed
    /// Not delivered: the provider refused it for good, or every retry failed (`reason` says which).
    case failed
    /// Not sent: the customer was erased while it waited.
    case cancelled
}

/// One notification the customer was (or was not) sent.
public struct NotificationView: Codable, Sendable, Equatable {
    public var notificationId: String
    /// Nil once the customer was erased.
    public var customerId: String?
    public var ruleId: String
    public var purpose: ConsentPurpose
    public var channel: NotificationChannel?
    public var locale: String
    /// Personal data (it may name the customer's order): gone once the customer is erased.
    public var subject: String?
    public var body: String?
    public var status: NotificationStatus
    /// Why it is queued, deferred, suppressed or failed (the last failed try's error while retrying).
    public var reason: String?
    /// The event that caused it (its id); with the rule, what makes it happen once.
    public var causedBy: String
    /// Delivery tries so far (every try carries the notification's id as its delivery id).
    public var attempts: Int
    /// When a queued or deferred notification is next tried.
    public var dueAt: Timestamp?
    public var sentAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public init(notificationId: String, customerId: String?, ruleId: String, purpose: ConsentPurpose, channel: NotificationChannel?,
                locale: String, subject: String?, body: String?, status: NotificationStatus, reason: String?, causedBy: String,
                attempts: Int = 0, dueAt: Timestamp? = nil, sentAt: Timestamp? = nil, createdAt: Timestamp, updatedAt: Timestamp) {
        self.notificationId = notificationId
        self.customerId = customerId
        self.ruleId = ruleId
        self.purpose = purpose
        self.channel = channel
        self.locale = locale
        self.subject = subject
        self.body = body
        self.status = status
        self.reason = reason
        self.causedBy = causedBy
        self.attempts = attempts
        self.dueAt = dueAt
        self.sentAt = sentAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// `notifications.log.get` (a query): the customer's notifications, newest first.
public struct GetNotificationLog: QueryContract {
    public typealias Reply = NotificationLog
    public static let name = "notifications.log.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// The reply to ``GetNotificationLog``.
public struct NotificationLog: Codable, Sendable, Equatable {
    public var customerId: String
    public var notifications: [NotificationView]
    public init(customerId: String, notifications: [NotificationView]) {
        self.customerId = customerId
        self.notifications = notifications
    }
}

/// The notifications service's commands.
public enum NotificationsCommand {
    /// Every command notifications takes.
    public static let all: [any CommandContract.Type] = [GetNotificationLog.self]
}

/// The notifications service's events (source `notifications`). Only `inbox.posted` carries
/// a message's words (the app shows them); it is redacted when the customer is erased.
public enum NotificationsEvent {
    public static let source = "notifications"

    /// Every type the service emits.
    public static let all: [any EventContract.Type] = [
        NotificationQueued.self, NotificationDeferred.self, NotificationSent.self, NotificationSuppressed.self, NotificationFailed.self,
        InboxPosted.self, CustomerDataErased.self,
    ]

    /// The events that say where a notification stands (each a ``NotificationChanged``).
    public static let statusEvents: [any EventContract.Type] = [
        NotificationQueued.self, NotificationDeferred.self, NotificationSent.self, NotificationSuppressed.self, NotificationFailed.self,
    ]

    /// The body of the notification events: which notification, for whom, on what.
    public struct NotificationChanged: Codable, Sendable, Equatable {
        public var notificationId: String
        public var customerId: String?
        public var ruleId: String
        public var purpose: ConsentPurpose
        public var channel: NotificationChannel?
        public var status: NotificationStatus
        public var reason: String?
        /// Deferred: when it goes.
        public var dueAt: Timestamp?
        /// Sent or failed: after how many tries.
        public var attempts: Int?
        public init(notificationId: String, customerId: String?, ruleId: String, purpose: ConsentPurpose, channel: NotificationChannel?,
                    status: NotificationStatus, reason: String?, dueAt: Timestamp? = nil, attempts: Int? = nil) {
            self.notificationId = notificationId
            self.customerId = customerId
            self.ruleId = ruleId
            self.purpose = purpose
            self.channel = channel
            self.status = status
            self.reason = reason
            self.dueAt = dueAt
            self.attempts = attempts
        }
    }

    /// `notification.queued`: chosen and rendered, waiting for its channel's delivery.
    public struct NotificationQueued: WrappingEvent, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "notification.queued"
        public var body: NotificationChanged
        public init(_ body: NotificationChanged) { self.body = body }
    }

    /// `notification.deferred`: held back by quiet hours or the frequency cap until `dueAt`.
    public struct NotificationDeferred: WrappingEvent, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "notification.deferred"
        public var body: NotificationChanged
        public init(_ body: NotificationChanged) { self.body = body }
    }

    /// `notification.failed`: refused for good by the provider, or every retry failed.
    public struct NotificationFailed: WrappingEvent, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "notification.failed"
        public var body: NotificationChanged
        public init(_ body: NotificationChanged) { self.body = body }
    }

    /// `notification.sent`: delivered.
    public struct NotificationSent: WrappingEvent, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "notification.sent"
        public var body: NotificationChanged
        public init(_ body: NotificationChanged) { self.body = body }
    }

    /// `notification.suppressed`: not sent, for a reason (no consent).
    public struct NotificationSuppressed: WrappingEvent, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "notification.suppressed"
        public var body: NotificationChanged
        public init(_ body: NotificationChanged) { self.body = body }
    }

    /// `inbox.posted`: a message in the customer's in-app inbox (the app follows this topic).
    public struct InboxPosted: EventContract, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "inbox.posted"

        public var notificationId: String
        public var customerId: String
        public var subject: String?
        public var body: String?
        public init(notificationId: String, customerId: String, subject: String?, body: String?) {
            self.notificationId = notificationId
            self.customerId = customerId
            self.subject = subject
            self.body = body
        }
    }

    /// `customer.data_erased`: the erased customers' addresses, consents and rendered messages are gone.
    public struct CustomerDataErased: EventContract, Equatable {
        public static let source = NotificationsEvent.source
        public static let type = "customer.data_erased"

        public var erasedIds: [String]
        public init(erasedIds: [String]) { self.erasedIds = erasedIds }
    }
}
