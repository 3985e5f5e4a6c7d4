import ConversationService
import Foundation
import GRDB
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Conversation: one conversation across channels, touchpoints and cases")
struct ConversationTests {
    @Test("messages from chat, e-mail and a store note are one conversation, oldest first, with their channels")
    func oneConversationAcrossChannels() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let first = try await service.say("Do the Aria shoes come in red 38?", from: lea, on: "chat")
            try await service.say("Yes, in stock in Berlin.", from: lea, on: "chat", direction: .outbound)
            try await service.say("Following up by mail about the shoes", from: lea, on: "email")
            try await service.say("Customer tried them on in store", from: lea, on: "store", direction: .outbound)
            let conversation = try await service.call(GetConversation(customerId: lea), channel: "call_center")
            #expect(conversation.conversationId == first.conversationId)
            #expect(conversation.messages.count == 4)
            #expect(conversation.channels == ["chat", "email", "store"])
            #expect(Set(conversation.messages.map(\.conversationId)) == [first.conversationId])
            let recorded = try service.service.loggedEvents(ConversationEvent.MessageRecorded.type, as: ConversationEvent.MessageRecorded.self)
            #expect(recorded.count == 4)
            let raw = try await service.service.runtime.store.database.pool.read { db in
                try Data.fetchAll(db, sql: "SELECT envelope FROM outbox WHERE type = ?", arguments: [ConversationEvent.MessageRecorded.type])
            }
            #expect(raw.allSatisfy { String(decoding: $0, as: UTF8.self).contains("Aria") == false }, "events carry no message text")
        }
    }

    @Test("two first messages at once from two channels make one conversation, not two")
    func concurrentFirstMessages() async throws {
        try await ConversationHarness.with { service in
            let max = try await service.customer("max@example.com")
            let messages = try await withThrowingTaskGroup(of: Message.self) { group in
                for index in 0..<20 {
                    group.addTask { try await service.say("hello \(index)", from: max, on: index % 2 == 0 ? "messenger" : "social") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(messages.compactMap(\.conversationId)).count == 1)
            let count = try await service.service.runtime.store.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversation") }
            #expect(count == 1)
        }
    }

    @Test("a message from a handle identity does not know yet waits, then joins the conversation when identity links it")
    func unknownIdentifierJoinsLater() async throws {
        try await ConversationHarness.with { service in
            let handle = IdentifierInput(.instagram, "@lea.shoes")
            let early = try await service.call(RecordMessage(identifier: handle, direction: .inbound, text: "my shoes came in the wrong size"),
                                               channel: "social")
            #expect(early.customerId == nil && early.conversationId == nil)
            let lea = try await service.customer("lea@example.com")
            let _ = try await service.identity.commands.call(LinkIdentifier(customerId: lea, identifier: handle), channel: "social")
            try await service.caughtUp()
            let conversation = try await service.call(GetConversation(customerId: lea), channel: "call_center")
            #expect(conversation.messages.map(\.messageId) == [early.messageId])
            // Known now, the next message from the handle joins at once.
            let later = try await service.call(RecordMessage(identifier: handle, direction: .inbound, text: "any news?"), channel: "social")
            #expect(later.customerId == lea && later.conversationId == conversation.conversationId)
        }
    }

    @Test("a message nobody claims within the retention is dropped, with its index entry")
    func unclaimedMessagesExpire() async throws {
        var options = ConversationService.Options()
        options.waitingMessageRetention = .milliseconds(200)
        options.waitingMessageSweep = .milliseconds(100)
        try await ConversationHarness.with(options: options) { service in
            let waiting = try await service.call(RecordMessage(identifier: IdentifierInput(.instagram, "@nobody.knows"), direction: .inbound,
                                                               text: "zzqunclaimed words"), channel: "social")
            #expect(waiting.customerId == nil)
            try await eventually("the unclaimed message is dropped") {
                try await service.service.runtime.store.database.pool.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE id = ?", arguments: [waiting.messageId]) == 0
                }
            }
            #expect(try await service.call(SearchMessages(query: "zzqunclaimed"), channel: "call_center").hits.isEmpty)
            let lea = try await service.customer("lea@example.com")
            let _ = try await service.identity.commands.call(LinkIdentifier(customerId: lea, identifier: IdentifierInput(.instagram, "@nobody.knows")),
                                                             channel: "social")
            try await service.caughtUp()
            #expect(try await service.call(GetConversation(customerId: lea), channel: "call_center").messages.isEmpty, "gone for good")
        }
    }

    @Test("a complaint posted on social opens a case; the e-mail reply and a phone note land in the same case and conversation")
    func complaintJourney() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let post = try await service.call(RecordMessage(customerId: lea, direction: .inbound, text: "@brand my order arrived broken!",
                                                            isPublic: true), channel: "social")
            let opened = try await service.call(OpenCase(customerId: lea, subject: "Broken on arrival", messageId: post.messageId,
                                                         priority: .high, followUpChannel: "email", orderIds: ["ord_1"]), channel: "social")
            try await service.say("We are sorry; a replacement is on its way.", from: lea, on: "email", direction: .outbound, caseId: opened.caseId)
            let _ = try await service.call(UpdateCase(caseId: opened.caseId, assignee: "agent-7", note: "called her back, she accepts"),
                                           channel: "call_center")
            let closed = try await service.call(UpdateCase(caseId: opened.caseId, status: .closed), channel: "call_center")
            #expect(closed.timeline.map(\.kind) == [.message, .opened, .message, .assigned, .note, .status], "the post came first")
            #expect(closed.timeline.map(\.channel) == ["social", "social", "email", "call_center", "call_center", "call_center"])
            #expect(closed.assignee == "agent-7" && closed.followUpChannel == "email" && closed.orderIds == ["ord_1"])
            let conversation = try await service.call(GetConversation(customerId: lea), channel: "call_center")
            #expect(conversation.messages.map(\.caseId) == [opened.caseId, opened.caseId])
            #expect(conversation.messages.map(\.isPublic) == [true, nil], "the public post, then a direct e-mail")
            let refused = try await service.send(UpdateCase(caseId: opened.caseId, note: "too late"), channel: "call_center")
            #expect(refused.error?.code == .conflict, "a closed case cannot change")
            let types = try service.service.loggedEvents(ConversationEvent.CaseUpdated.type, as: ConversationEvent.CaseChanged.self)
            #expect(types.last?.data.status == .closed)
        }
    }

    @Test("search finds a customer's messages by their words, across channels, newest first")
    func search() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let max = try await service.customer("max@example.com")
            try await service.say("the red shoes pinch at the heel", from: lea, on: "chat")
            try await service.say("red socks please", from: max, on: "email")
            try await service.say("shoes fit now, thanks", from: lea, on: "email")
            let all = try await service.call(SearchMessages(query: "shoes"), channel: "call_center")
            #expect(all.hits.map(\.message.channel) == ["email", "chat"])
            #expect(all.hits.first?.snippet.contains("[shoes]") == true)
            let hers = try await service.call(SearchMessages(query: "red", customerId: lea), channel: "call_center")
            #expect(hers.hits.map(\.message.customerId) == [lea])
            let bad = try await service.send(SearchMessages(query: "\"unbalanced"), channel: "call_center")
            #expect(bad.error?.code == .invalidArgument)
        }
    }
}

/// The service takes exactly its contract's commands.
@Suite("Conversation takes exactly its contract's commands")
struct ConversationRegisteredContractsTests {
    @Test func conversation() {
        #expect(ConversationService.commands().commandNames == ConversationCommand.all.map { $0.name }.sorted())
    }
}
