import GRDB
import OmnibusContracts
import OmnibusService

/// What conversation does with identity's events, each in the transaction that records the
/// event as applied: a linked identifier brings its waiting messages into the customer's
/// conversation; a merge joins timelines, touchpoints and cases under the survivor; an
/// erasure removes what the customer said and did, and keeps cases without customer or words.
enum IdentityReactions {
    static func linked(_ linked: IdentityEvent.IdentifierLinked, emitter: some EventEmitting) throws {
        guard let value = linked.value else { return } // redacted by an erasure
        let db = emitter.db
        guard let customerId = try KnownCustomers.live(linked.customerId, in: db) else { return }
        try db.execute(sql: "INSERT OR REPLACE INTO knownIdentifier (kind, value, customerId) VALUES (?, ?, ?)",
                       arguments: [linked.kind.rawValue, value, customerId])
        let waiting = try MessageRecord.fetchAll(db, sql: """
            SELECT * FROM message WHERE customerId IS NULL AND identifierKind = ? AND identifierValue = ? ORDER BY at, rowid
            """, arguments: [linked.kind.rawValue, value])
        for var message in waiting {
            message.customerId = customerId
            try Messages.join(&message, emitter: emitter)
        }
    }

    /// Identity's snapshot record of a customer, for a conversation service away longer than
    /// identity keeps its events: missed merges and erasures done, and every identifier of a
    /// live customer known (bringing in its waiting messages). The context's recent events
    /// missed meanwhile are not rebuilt: they are a window, not state.
    static func fold(_ records: [SnapshotRecord], emitter: SnapshotContext) throws {
        let live = try KnownCustomers.fold(records, in: emitter.db,
                                           merge: { try merge($0, into: $1, emitter: emitter) },
                                           erase: { try erase($0, emitter: emitter) })
        for state in live {
            for identifier in state.identifiers {
                try linked(IdentityEvent.IdentifierLinked(customerId: state.customerId, kind: identifier.kind, value: identifier.value,
                                                          channel: identifier.channel, verified: identifier.verified), emitter: emitter)
            }
        }
    }

    static func merge(_ mergedId: String, into survivorId: String, emitter: some EventEmitting) throws {
        let db = emitter.db
        guard let survivor = try KnownCustomers.merge(mergedId, into: survivorId, in: db) else { return }
        let conversations = try String.fetchAll(db, sql: "SELECT customerId FROM conversation WHERE customerId IN (?, ?)",
                                                arguments: [mergedId, survivor])
        if conversations.count == 2 {
            // Both talked to the brand: one timeline, the survivor's.
            try db.execute(sql: """
                UPDATE message SET conversationId = (SELECT id FROM conversation WHERE customerId = ?)
                WHERE conversationId = (SELECT id FROM conversation WHERE customerId = ?)
                """, arguments: [survivor, mergedId])
            try db.execute(sql: "DELETE FROM conversation WHERE customerId = ?", arguments: [mergedId])
        } else {
            try db.execute(sql: "UPDATE conversation SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
        }
        var moved = 0
        for table in ["message", "touchpoint", "supportCase", "knownIdentifier"] {
            try db.execute(sql: "UPDATE \(table) SET customerId = ? WHERE customerId = ?", arguments: [survivor, mergedId])
            moved += db.changesCount
        }
        if moved > 0 || !conversations.isEmpty {
            try emitter.emit(ConversationEvent.HistoryMerged(mergedId: mergedId, survivorId: survivor), customerId: survivor)
        }
    }

    static func erase(_ erased: IdentityEvent.CustomerErased, emitter: some EventEmitting) throws {
        let db = emitter.db
        let ids = try KnownCustomers.recordErasure(erased, in: db)
        try db.execute(literal: "DELETE FROM messageSearch WHERE messageId IN (SELECT id FROM message WHERE customerId IN \(ids))")
        // The full-text index keeps deleted words in its segments until they are merged.
        try db.execute(sql: "INSERT INTO messageSearch (messageSearch) VALUES ('optimize')")
        try db.execute(literal: "DELETE FROM message WHERE customerId IN \(ids)")
        let messagesErased = db.changesCount
        try db.execute(literal: "DELETE FROM conversation WHERE customerId IN \(ids)")
        try db.execute(literal: "DELETE FROM touchpoint WHERE customerId IN \(ids)")
        try db.execute(literal: "DELETE FROM knownIdentifier WHERE customerId IN \(ids)")
        try db.execute(literal: "DELETE FROM contextEvent WHERE customerId IN \(ids)")
        try db.execute(literal: """
            UPDATE caseEntry SET detail = NULL WHERE kind IN ('note', 'message') AND caseId IN (SELECT id FROM supportCase WHERE customerId IN \(ids))
            """)
        try db.execute(literal: "UPDATE supportCase SET customerId = NULL, subject = NULL WHERE customerId IN \(ids)")
        // Touchpoint events in this service's own log lose what the customer searched for and looked at.
        try Erasure.redactEvents(of: ids, in: db) { type, data in
            guard type == ConversationEvent.TouchpointRecorded.type, case .object(var fields) = data else { return nil }
            fields["query"] = nil
            fields["attributes"] = nil
            return .object(fields)
        }
        try Erasure.requestCompaction(in: db)
        try emitter.emit(ConversationEvent.CustomerDataErased(erasedIds: ids, messagesErased: messagesErased), customerId: erased.customerId)
    }
}
