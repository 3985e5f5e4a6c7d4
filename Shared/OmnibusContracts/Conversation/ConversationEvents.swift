/// The conversation service's events (source `conversation`). They carry ids, channels,
/// statuses and product interest; never a message's text, a note or a case's subject.
public enum ConversationEvent {
    public static let source = "conversation"

    /// The case events; each carries the case's state after the change (``CaseChanged``).
    public static let caseEvents: [any WrappingEvent<CaseChanged>.Type] = [CaseOpened.self, CaseUpdated.self]

    /// Every type the service emits.
    public static let all: [any EventContract.Type] =
        [TouchpointRecorded.self, MessageRecorded.self] + caseEvents + [HistoryMerged.self, CustomerDataErased.self]

    /// `touchpoint.recorded`: the whole touchpoint.
    public struct TouchpointRecorded: WrappingEvent, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "touchpoint.recorded"
        public var body: Touchpoint
        public init(_ body: Touchpoint) { self.body = body }
    }

    /// `message.recorded`: a message joined a customer's conversation (its text stays in the service).
    public struct MessageRecorded: EventContract, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "message.recorded"

        public var messageId: String
        public var conversationId: String
        public var customerId: String
        public var caseId: String?
        public var channel: String?
        public var direction: MessageDirection
        public init(messageId: String, conversationId: String, customerId: String, caseId: String?, channel: String?,
                    direction: MessageDirection) {
            self.messageId = messageId
            self.conversationId = conversationId
            self.customerId = customerId
            self.caseId = caseId
            self.channel = channel
            self.direction = direction
        }
    }

    /// The body of `case.opened` and `case.updated`: the case after the change, without its subject.
    public struct CaseChanged: Codable, Sendable, Equatable {
        public var caseId: String
        public var customerId: String?
        public var status: CaseStatus
        public var priority: CasePriority
        public var assignee: String?
        public var followUpChannel: String?
        public var orderIds: [String]
        /// The channel the change came from.
        public var channel: String?
        /// Set on the change that resolved or closed the case with a goodwill gesture.
        public var goodwill: Bool?
        public init(caseId: String, customerId: String?, status: CaseStatus, priority: CasePriority, assignee: String?,
                    followUpChannel: String?, orderIds: [String], channel: String?, goodwill: Bool? = nil) {
            self.caseId = caseId
            self.customerId = customerId
            self.status = status
            self.priority = priority
            self.assignee = assignee
            self.followUpChannel = followUpChannel
            self.orderIds = orderIds
            self.channel = channel
            self.goodwill = goodwill
        }
    }

    /// `case.opened`.
    public struct CaseOpened: WrappingEvent, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "case.opened"
        public var body: CaseChanged
        public init(_ body: CaseChanged) { self.body = body }
    }

    /// `case.updated`: status, priority, assignee or orders changed, or a note was added.
    public struct CaseUpdated: WrappingEvent, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "case.updated"
        public var body: CaseChanged
        public init(_ body: CaseChanged) { self.body = body }
    }

    /// `history.merged`: after identity's merge, the merged customer's conversation,
    /// touchpoints and cases now belong to the survivor.
    public struct HistoryMerged: EventContract, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "history.merged"

        public var mergedId: String
        public var survivorId: String
        public init(mergedId: String, survivorId: String) {
            self.mergedId = mergedId
            self.survivorId = survivorId
        }
    }

    /// `customer.data_erased`: after identity's erasure, the customers' message texts,
    /// touchpoints and identifiers are gone; their cases are kept without customer or words.
    public struct CustomerDataErased: EventContract, Equatable {
        public static let source = ConversationEvent.source
        public static let type = "customer.data_erased"

        public var erasedIds: [String]
        public var messagesErased: Int
        public init(erasedIds: [String], messagesErased: Int) {
            self.erasedIds = erasedIds
            self.messagesErased = messagesErased
        }
    }
}
