import Foundation
import GRDB
import OmnibusContracts

/// A row of `message`.
struct MessageRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "message"
    var id: String
    var conversationId: String?
    var customerId: String?
    var identifierKind: String?
    var identifierValue: String?
    var channel: String?
    var direction: MessageDirection
    var text: String?
    var author: String?
    var caseId: String?
    var isPublic: Bool?
    var at: Int64

    var message: Message {
        Message(messageId: id, conversationId: conversationId, customerId: customerId, caseId: caseId, channel: channel,
                direction: direction, text: text, author: author, isPublic: isPublic, at: Timestamp(millisecondsSince1970: at))
    }
}

/// A row of `supportCase`.
struct CaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "supportCase"
    var id: String
    var customerId: String?
    var subject: String?
    var status: CaseStatus
    var priority: CasePriority
    var assignee: String?
    var followUpChannel: String?
    var orderIds: [String]
    var channel: String?
    var openedAt: Int64
    var updatedAt: Int64
    /// The conversation log position of the case's `case.opened`; nil for a case opened
    /// before `conversation-v2-case-sequences`.
    var openedSequence: Int64?
    /// The conversation log position of its latest `case.opened` or `case.updated`; nil when
    /// that was before `conversation-v2-case-sequences`.
    var changedSequence: Int64?

    func changed(on channel: String?) -> ConversationEvent.CaseChanged {
        ConversationEvent.CaseChanged(caseId: id, customerId: customerId, status: status, priority: priority, assignee: assignee,
                                      followUpChannel: followUpChannel, orderIds: orderIds, channel: channel)
    }
}

/// A row of `caseEntry`.
struct CaseEntryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "caseEntry"
    var id: Int64?
    var caseId: String
    var kind: CaseEntry.Kind
    var channel: String?
    var at: Int64
    var messageId: String?
    var detail: String?

    var entry: CaseEntry {
        CaseEntry(kind: kind, channel: channel, at: Timestamp(millisecondsSince1970: at), messageId: messageId, detail: detail)
    }
}

/// New ids: a prefix and a random UUID.
enum NewId {
    static func make(_ prefix: String) -> String { prefix + "_" + UUID().uuidString.lowercased() }
}
