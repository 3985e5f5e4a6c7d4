/// The conversation service's commands are the ``CommandContract`` types of this folder;
/// this holds their shared limits.
public enum ConversationCommand {
    /// Every command conversation takes.
    public static let all: [any CommandContract.Type] = [
        RecordTouchpoint.self, ListTouchpoints.self, RecordMessage.self, GetConversation.self, SearchMessages.self,
        OpenCase.self, UpdateCase.self, GetCase.self, GetContext.self,
    ]

    /// The longest message, note or subject, in characters (four times that in bytes).
    public static let maxTextLength = 10_000
    /// The most touchpoints ``CustomerView`` keeps per customer (the newest).
    public static let touchpointsInView = 20
    /// The channels a message may come from or go out on; a message from another is refused.
    public static let messageChannels: Set<String> = [
        "chat", "messenger", "whatsapp", "social", "instagram", "facebook", "email", "sms", "call_center", "store", "app", "web",
    ]
}

/// `conversation.context.get` (a query): what a bot, a clerk or an operator needs at once
/// about a customer, built from the events this service has applied — never by asking the
/// other services, so it answers while one of them is down (stale, and `applied` says how).
public struct GetContext: QueryContract {
    public typealias Reply = CustomerContext
    public static let name = "conversation.context.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// The reply to ``GetContext``.
public struct CustomerContext: Codable, Sendable, Equatable {
    public var customerId: String
    /// The customer as every channel sees them (``CustomerViews``, the shared fold):
    /// profile and consent, identifiers, cart, orders, coupons, touchpoints, cases.
    public var view: CustomerView
    /// Per source, the last event this service has applied from it; compare with the
    /// source's head (`omnibus status`) to see how stale the view may be.
    public var applied: [String: Int64]
    public init(customerId: String, view: CustomerView, applied: [String: Int64]) {
        self.customerId = customerId
        self.view = view
        self.applied = applied
    }
}
