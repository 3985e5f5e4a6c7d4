/// Whether the customer or the brand wrote a message.
public enum MessageDirection: String, Codable, Sendable {
    case inbound
    case outbound
}

/// One message of the conversation, from any channel.
public struct Message: Codable, Sendable, Equatable {
    public var messageId: String
    /// Nil while the message waits for identity to know its sender's identifier.
    public var conversationId: String?
    public var customerId: String?
    public var caseId: String?
    /// `chat`, `messenger`, `social`, `email`, `call_center` (a phone-call note), `store` (a store note), …
    public var channel: String?
    public var direction: MessageDirection
    /// Personal data: gone once the customer is erased.
    public var text: String?
    /// Who wrote it on the brand's side (an agent, a bot); nil for the customer.
    public var author: String?
    /// A public post (on a social network) rather than a direct message.
    public var isPublic: Bool?
    public var at: Timestamp
    public init(messageId: String, conversationId: String?, customerId: String?, caseId: String?, channel: String?,
                direction: MessageDirection, text: String?, author: String?, isPublic: Bool? = nil, at: Timestamp) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.customerId = customerId
        self.caseId = caseId
        self.channel = channel
        self.direction = direction
        self.text = text
        self.author = author
        self.isPublic = isPublic
        self.at = at
    }
}

/// `conversation.message.record`: a message on the request's channel, from or to the
/// customer — named by `customerId`, or by an `identifier` (a social handle, a messenger
/// id) identity may not know yet: such a message is kept and joins the customer's
/// conversation when identity links the identifier. `caseId` files it in a case.
public struct RecordMessage: CommandContract {
    public typealias Reply = Message
    public static let name = "conversation.message.record"

    public var customerId: String?
    public var identifier: IdentifierInput?
    public var direction: MessageDirection
    public var text: String
    public var author: String?
    public var caseId: String?
    /// A public post (on a social network) rather than a direct message.
    public var isPublic: Bool?
    public init(customerId: String? = nil, identifier: IdentifierInput? = nil, direction: MessageDirection, text: String,
                author: String? = nil, caseId: String? = nil, isPublic: Bool? = nil) {
        self.customerId = customerId
        self.identifier = identifier
        self.direction = direction
        self.text = text
        self.author = author
        self.caseId = caseId
        self.isPublic = isPublic
    }
}

/// `conversation.get` (a query): the customer's one conversation, every channel in one timeline.
public struct GetConversation: QueryContract {
    public typealias Reply = ConversationView
    public static let name = "conversation.get"

    public var customerId: String
    public init(customerId: String) { self.customerId = customerId }
}

/// A customer's conversation: messages oldest first.
public struct ConversationView: Codable, Sendable, Equatable {
    public var conversationId: String?
    public var customerId: String
    /// The channels it has been held on, in order of first use.
    public var channels: [String]
    public var messages: [Message]
    public init(conversationId: String?, customerId: String, channels: [String], messages: [Message]) {
        self.conversationId = conversationId
        self.customerId = customerId
        self.channels = channels
        self.messages = messages
    }
}

/// `conversation.search` (a query): messages whose text matches `query` (SQLite FTS5
/// syntax: words, "phrases", prefix*), of one customer or of all, newest first.
public struct SearchMessages: QueryContract {
    public typealias Reply = SearchResults
    public static let name = "conversation.search"

    public var query: String
    public var customerId: String?
    public var limit: Int?
    public init(query: String, customerId: String? = nil, limit: Int? = nil) {
        self.query = query
        self.customerId = customerId
        self.limit = limit
    }
}

/// The reply to ``SearchMessages``.
public struct SearchResults: Codable, Sendable, Equatable {
    public var hits: [SearchHit]
    public init(hits: [SearchHit]) { self.hits = hits }
}

/// A message that matched, with its text around the match.
public struct SearchHit: Codable, Sendable, Equatable {
    public var message: Message
    /// The match in context, marked with [ and ].
    public var snippet: String
    public init(message: Message, snippet: String) {
        self.message = message
        self.snippet = snippet
    }
}
