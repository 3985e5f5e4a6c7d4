import GRDB
import OmnibusContracts
import OmnibusService

/// `conversation.case.*`: complaints and requests, opened from any channel, followed on any
/// other, each step in the case's timeline.
enum Cases {
    static func register(in registry: inout CommandRegistry) {
        // Replies of state-changing commands are kept for retries, so they leave out the
        // subject and the words of notes and messages; `conversation.case.get` shows them.
        registry.register(OpenCase.self) { input, context in
            try open(input, context: context).withoutWords
        }
        registry.register(UpdateCase.self) { input, context in
            try update(input, context: context).withoutWords
        }
        registry.register(GetCase.self) { input, context in
            try view(try record(input.caseId, in: context.db), in: context.db)
        }
    }

    static func open(_ input: OpenCase, context: CommandContext) throws -> CaseView {
        let db = context.db
        let customerId = try KnownCustomers.current(input.customerId, in: db)
        try InputCheck.text(input.subject, "subject")
        if let channel = input.followUpChannel { try InputCheck.identifier(channel, "followUpChannel") }
        var orderIds: [String] = []
        for orderId in input.orderIds ?? [] where !orderIds.contains(orderId) { orderIds.append(orderId) }
        try checkOrderIds(orderIds)
        let now = Timestamp.now().millisecondsSince1970
        var record = CaseRecord(id: NewId.make("case"), customerId: customerId, subject: input.subject, status: .open,
                                priority: input.priority ?? .normal, assignee: nil, followUpChannel: input.followUpChannel,
                                orderIds: orderIds, channel: context.channel, openedAt: now, updatedAt: now)
        // Announced first, so the row is inserted once with the event's log position (for the snapshot).
        let sequence = try context.emit(ConversationEvent.CaseOpened(record.changed(on: context.channel)), customerId: customerId)
        record.openedSequence = sequence
        record.changedSequence = sequence
        try record.insert(db)
        try addEntry(record.id, .opened, channel: context.channel, at: now, messageId: nil, detail: nil, in: db)
        if let messageId = input.messageId {
            // The message the case is opened from (a public post, say) is its first step.
            guard var message = try MessageRecord.fetchOne(db, key: messageId) else {
                throw OmnibusError(.notFound, "no message '\(InputCheck.excerpt(messageId))'")
            }
            guard message.customerId == customerId else { throw OmnibusError(.conflict, "message \(messageId) is another customer's") }
            if let other = message.caseId { throw OmnibusError(.conflict, "message \(messageId) is already filed in case \(other)") }
            message.caseId = record.id
            try message.update(db)
            try addEntry(record.id, .message, channel: message.channel, at: message.at, messageId: message.id, detail: nil, in: db)
        }
        return try view(record, in: db)
    }

    static func update(_ input: UpdateCase, context: CommandContext) throws -> CaseView {
        let db = context.db
        var record = try record(input.caseId, in: db)
        guard record.status != .closed else { throw OmnibusError(.conflict, "case \(record.id) is closed") }
        let now = Timestamp.now().millisecondsSince1970
        var changed = false
        if let status = input.status, status != record.status {
            try addEntry(record.id, .status, channel: context.channel, at: now, messageId: nil, detail: status.rawValue, in: db)
            record.status = status
            changed = true
        }
        if let priority = input.priority, priority != record.priority {
            try addEntry(record.id, .priority, channel: context.channel, at: now, messageId: nil, detail: priority.rawValue, in: db)
            record.priority = priority
            changed = true
        }
        if let assignee = input.assignee, assignee != record.assignee {
            try InputCheck.identifier(assignee, "assignee")
            try addEntry(record.id, .assigned, channel: context.channel, at: now, messageId: nil, detail: assignee, in: db)
            record.assignee = assignee
            changed = true
        }
        if let orderIds = input.orderIds {
            try checkOrderIds(orderIds)
            for orderId in orderIds where !record.orderIds.contains(orderId) {
                try addEntry(record.id, .orderLinked, channel: context.channel, at: now, messageId: nil, detail: orderId, in: db)
                record.orderIds.append(orderId)
                changed = true
            }
        }
        var goodwill = false
        if input.goodwill == true {
            guard let status = input.status, status == .resolved || status == .closed else {
                throw OmnibusError(.invalidArgument, "a goodwill gesture comes with resolving or closing the case")
            }
            guard try CaseEntryRecord.filter(Column("caseId") == record.id && Column("kind") == CaseEntry.Kind.goodwill.rawValue).fetchCount(db) == 0 else {
                throw OmnibusError(.conflict, "case \(record.id) already had its goodwill gesture")
            }
            try addEntry(record.id, .goodwill, channel: context.channel, at: now, messageId: nil, detail: nil, in: db)
            goodwill = true
        }
        if let note = input.note {
            try InputCheck.text(note, "note", maxLength: ConversationCommand.maxTextLength)
            try addEntry(record.id, .note, channel: context.channel, at: now, messageId: nil, detail: note, in: db)
            changed = true
        }
        guard changed else { throw OmnibusError(.invalidArgument, "the update changes nothing") }
        record.updatedAt = now
        var change = record.changed(on: context.channel)
        change.goodwill = goodwill ? true : nil
        // Announced before the row is written, so the one UPDATE also keeps the event's log position.
        record.changedSequence = try context.emit(ConversationEvent.CaseUpdated(change), customerId: record.customerId)
        try record.update(db)
        return try view(record, in: db)
    }

    static func record(_ id: String, in db: Database) throws -> CaseRecord {
        guard let record = try CaseRecord.fetchOne(db, key: id) else {
            throw OmnibusError(.notFound, "no case '\(InputCheck.excerpt(id))'")
        }
        return record
    }

    static func addEntry(_ caseId: String, _ kind: CaseEntry.Kind, channel: String?, at: Int64, messageId: String?, detail: String?,
                         in db: Database) throws {
        try CaseEntryRecord(id: nil, caseId: caseId, kind: kind, channel: channel, at: at, messageId: messageId, detail: detail).insert(db)
    }

    static func view(_ record: CaseRecord, in db: Database) throws -> CaseView {
        let entries = try CaseEntryRecord.filter(Column("caseId") == record.id).order(Column("at"), Column("id")).fetchAll(db)
        return CaseView(
            caseId: record.id, customerId: record.customerId, subject: record.subject, status: record.status, priority: record.priority,
            assignee: record.assignee, followUpChannel: record.followUpChannel, orderIds: record.orderIds, channel: record.channel,
            openedAt: Timestamp(millisecondsSince1970: record.openedAt), updatedAt: Timestamp(millisecondsSince1970: record.updatedAt),
            timeline: entries.map(\.entry))
    }

    private static func checkOrderIds(_ orderIds: [String]) throws {
        guard orderIds.count <= 20 else { throw OmnibusError(.invalidArgument, "a case concerns at most 20 orders") }
        for orderId in orderIds { try InputCheck.identifier(orderId, "orderId") }
    }
}

extension CaseView {
    /// The case without its subject and the words of its notes and messages.
    var withoutWords: CaseView {
        var view = self
        view.subject = nil
        for index in view.timeline.indices where view.timeline[index].kind == .note || view.timeline[index].kind == .message {
            view.timeline[index].detail = nil
        }
        return view
    }
}
