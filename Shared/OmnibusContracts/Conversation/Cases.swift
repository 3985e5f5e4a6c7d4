/// Where a case stands.
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    case open
    /// Waiting for the customer or a third party.
    case pending
    case resolved
    case closed
}

public enum CasePriority: String, Codable, Sendable {
    case low
    case normal
    case high
    case urgent
}

/// A complaint or request, followed across channels.
public struct CaseView: Codable, Sendable, Equatable {
    public var caseId: String
    public var customerId: String?
    /// Personal data: gone once the customer is erased.
    public var subject: String?
    public var status: CaseStatus
    public var priority: CasePriority
    public var assignee: String?
    /// The channel the follow-up was promised on.
    public var followUpChannel: String?
    /// The orders it concerns.
    public var orderIds: [String]
    /// The channel it was opened from.
    public var channel: String?
    public var openedAt: Timestamp
    public var updatedAt: Timestamp
    /// Every step, oldest first: opened, messages, notes, status changes, assignments.
    public var timeline: [CaseEntry]
    public init(caseId: String, customerId: String?, subject: String?, status: CaseStatus, priority: CasePriority, assignee: String?,
                followUpChannel: String?, orderIds: [String], channel: String?, openedAt: Timestamp, updatedAt: Timestamp,
                timeline: [CaseEntry]) {
        self.caseId = caseId
        self.customerId = customerId
        self.subject = subject
        self.status = status
        self.priority = priority
        self.assignee = assignee
        self.followUpChannel = followUpChannel
        self.orderIds = orderIds
        self.channel = channel
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.timeline = timeline
    }
}

/// One step of a case.
public struct CaseEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case opened, message, note, status, assigned, priority, orderLinked = "order_linked", goodwill
    }
    public var kind: Kind
    public var channel: String?
    public var at: Timestamp
    /// The message (kind `message`).
    public var messageId: String?
    /// What changed, or the note (personal data for notes and messages: gone on erasure).
    public var detail: String?
    public init(kind: Kind, channel: String?, at: Timestamp, messageId: String?, detail: String?) {
        self.kind = kind
        self.channel = channel
        self.at = at
        self.messageId = messageId
        self.detail = detail
    }
}

/// `conversation.case.open`: opens a case for the customer from the request's channel,
/// from a message (`messageId`, which is filed in it) or from nothing.
public struct OpenCase: CommandContract {
    public typealias Reply = CaseView
    public static let name = "conversation.case.open"

    public var customerId: String
    public var subject: String
    public var messageId: String?
    public var priority: CasePriority?
    public var followUpChannel: String?
    public var orderIds: [String]?
    public init(customerId: String, subject: String, messageId: String? = nil, priority: CasePriority? = nil,
                followUpChannel: String? = nil, orderIds: [String]? = nil) {
        self.customerId = customerId
        self.subject = subject
        self.messageId = messageId
        self.priority = priority
        self.followUpChannel = followUpChannel
        self.orderIds = orderIds
    }
}

/// `conversation.case.update`: changes a case's status, priority or assignee, links orders,
/// or adds a note; each change is a step of its timeline. A closed case cannot change.
public struct UpdateCase: CommandContract {
    public typealias Reply = CaseView
    public static let name = "conversation.case.update"

    public var caseId: String
    public var status: CaseStatus?
    public var priority: CasePriority?
    public var assignee: String?
    public var note: String?
    public var orderIds: [String]?
    /// With `status` `resolved` or `closed`: the brand makes a goodwill gesture; a coupons
    /// campaign with `autoIssue: ["case_closed"]` then issues the customer a coupon.
    public var goodwill: Bool?
    public init(caseId: String, status: CaseStatus? = nil, priority: CasePriority? = nil, assignee: String? = nil,
                note: String? = nil, orderIds: [String]? = nil, goodwill: Bool? = nil) {
        self.caseId = caseId
        self.status = status
        self.priority = priority
        self.assignee = assignee
        self.note = note
        self.orderIds = orderIds
        self.goodwill = goodwill
    }
}

/// `conversation.case.get` (a query).
public struct GetCase: QueryContract {
    public typealias Reply = CaseView
    public static let name = "conversation.case.get"

    public var caseId: String
    public init(caseId: String) { self.caseId = caseId }
}
