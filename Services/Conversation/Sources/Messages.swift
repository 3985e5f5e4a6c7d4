import GRDB
import OmnibusContracts
import OmnibusService

/// `conversation.message.record`, `conversation.get`, `conversation.search`: one conversation
/// per customer across every channel, and search over what was said.
enum Messages {
    static func register(in registry: inout CommandRegistry) {
        registry.register(RecordMessage.self) { input, context in
            // The reply is kept for retries: it leaves the text out (the sender has it).
            var message = try record(input, context: context)
            message.text = nil
            return message
        }
        registry.register(GetConversation.self) { input, context in
            try conversation(of: try KnownCustomers.current(input.customerId, in: context.db), in: context.db)
        }
        registry.register(SearchMessages.self) { input, context in
            try search(input, in: context.db)
        }
    }

    static func record(_ input: RecordMessage, context: CommandContext) throws -> Message {
        let db = context.db
        guard let channel = context.channel, ConversationCommand.messageChannels.contains(channel) else {
            throw OmnibusError(.invalidArgument, "a message comes from one of \(ConversationCommand.messageChannels.sorted().joined(separator: ", ")); "
                               + "got \(context.channel.map { "'\(InputCheck.excerpt($0))'" } ?? "no channel")")
        }
        try InputCheck.text(input.text, "text", maxLength: ConversationCommand.maxTextLength)
        if let author = input.author { try InputCheck.text(author, "author") }
        var record = MessageRecord(id: NewId.make("msg"), conversationId: nil, customerId: nil, identifierKind: nil, identifierValue: nil,
                                   channel: context.channel, direction: input.direction, text: input.text, author: input.author,
                                   caseId: nil, isPublic: input.isPublic, at: Timestamp.now().millisecondsSince1970)
        switch (input.customerId, input.identifier) {
        case (let customerId?, nil):
            record.customerId = try KnownCustomers.current(customerId, in: db)
        case (nil, let identifier?):
            let parsed: Identifier
            do { parsed = try identifier.parsed() } catch { throw OmnibusError(.invalidArgument, "identifier: \(error)") }
            record.identifierKind = parsed.kind.rawValue
            record.identifierValue = parsed.value
            // Known to identity already? Then the message joins that customer's conversation now.
            if let known = try String.fetchOne(db, sql: "SELECT customerId FROM knownIdentifier WHERE kind = ? AND value = ?",
                                               arguments: [parsed.kind.rawValue, parsed.value]) {
                record.customerId = try KnownCustomers.current(known, in: db)
            }
        default:
            throw OmnibusError(.invalidArgument, "a message names its customer by exactly one of customerId and identifier")
        }
        if let caseId = input.caseId {
            let supportCase = try Cases.record(caseId, in: db)
            guard supportCase.customerId == record.customerId, record.customerId != nil else {
                throw OmnibusError(.conflict, "case \(caseId) is another customer's")
            }
            guard supportCase.status != .closed else { throw OmnibusError(.conflict, "case \(caseId) is closed") }
            record.caseId = caseId
        }
        try record.insert(db)
        try db.execute(sql: "INSERT INTO messageSearch (text, messageId) VALUES (?, ?)", arguments: [input.text, record.id])
        if record.customerId != nil { try join(&record, emitter: context) }
        return record.message
    }

    /// Files `record` (of a known customer) in the customer's one conversation, started if
    /// needed, and in its case's timeline; announces it.
    static func join(_ record: inout MessageRecord, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let customerId = record.customerId else { return }
        // Two first messages at once are two commands in sequence: the second finds the first's conversation.
        try db.execute(sql: "INSERT OR IGNORE INTO conversation (id, customerId, startedAt) VALUES (?, ?, ?)",
                       arguments: [NewId.make("conv"), customerId, record.at])
        record.conversationId = try String.fetchOne(db, sql: "SELECT id FROM conversation WHERE customerId = ?", arguments: [customerId])
        try db.execute(sql: "UPDATE message SET conversationId = ?, customerId = ? WHERE id = ?",
                       arguments: [record.conversationId, customerId, record.id])
        if let caseId = record.caseId {
            try Cases.addEntry(caseId, .message, channel: record.channel, at: record.at, messageId: record.id, detail: nil, in: db)
        }
        try emitter.emit(ConversationEvent.MessageRecorded(
            messageId: record.id, conversationId: record.conversationId!, customerId: customerId, caseId: record.caseId,
            channel: record.channel, direction: record.direction), customerId: customerId)
    }

    /// Drops the messages still waiting for their identifier to be linked that arrived before
    /// `cutoff`, with their index entries; returns how many.
    static func dropUnclaimed(before cutoff: Int64, in db: Database) throws -> Int {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM message WHERE customerId IS NULL AND at < ?", arguments: [cutoff])
        guard !ids.isEmpty else { return 0 }
        try db.execute(literal: "DELETE FROM messageSearch WHERE messageId IN \(ids)")
        try db.execute(sql: "INSERT INTO messageSearch (messageSearch) VALUES ('optimize')")
        try db.execute(literal: "DELETE FROM message WHERE id IN \(ids)")
        return ids.count
    }

    static func conversation(of customerId: String, in db: Database) throws -> ConversationView {
        let conversationId = try String.fetchOne(db, sql: "SELECT id FROM conversation WHERE customerId = ?", arguments: [customerId])
        let messages = try MessageRecord.fetchAll(db, sql: "SELECT * FROM message WHERE conversationId = ? ORDER BY at, rowid",
                                                  arguments: [conversationId])
        var channels: [String] = []
        for channel in messages.compactMap(\.channel) where !channels.contains(channel) { channels.append(channel) }
        return ConversationView(conversationId: conversationId, customerId: customerId, channels: channels, messages: messages.map(\.message))
    }

    static func search(_ input: SearchMessages, in db: Database) throws -> SearchResults {
        try InputCheck.text(input.query, "query", maxLength: 500)
        let limit = min(max(input.limit ?? 50, 1), 500)
        // Merges move messages to the survivor, so the survivor's id finds them all.
        let customer = try input.customerId.map { try KnownCustomers.current($0, in: db) }
        let rows: [Row]
        do {
            rows = try Row.fetchAll(db, sql: """
                SELECT message.*, snippet(messageSearch, 0, '[', ']', '…', 12) AS snippet
                FROM messageSearch JOIN message ON message.id = messageSearch.messageId
                WHERE messageSearch MATCH ? AND message.customerId IS NOT NULL
                  AND (? IS NULL OR message.customerId = ?)
                ORDER BY message.at DESC, message.rowid DESC LIMIT ?
                """, arguments: [input.query, customer, customer, limit])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            throw OmnibusError(.invalidArgument, "query is not a valid search: \(error.message ?? "syntax error")")
        }
        return SearchResults(hits: try rows.map { row in
            SearchHit(message: try MessageRecord(row: row).message, snippet: row["snippet"])
        })
    }
}
