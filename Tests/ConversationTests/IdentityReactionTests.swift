import ConversationService
import Foundation
import GRDB
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Conversation: context, merges and erasure")
struct ConversationIdentityTests {
    @Test("the context holds the profile's identifiers, the touchpoints and the cases, and says how far it got from identity")
    func context() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let click = try await service.call(RecordTouchpoint(
                customerId: lea, kind: .adClick, campaign: "spring-aria", productId: "shoe-aria", sku: "shoe-aria-red-38",
                attributes: ["colour": "red", "size": "38"], price: Money(amountMinor: 8_999, currency: "EUR")), channel: "instagram")
            let opened = try await service.call(OpenCase(customerId: lea, subject: "Which size?"), channel: "messenger")
            try await service.caughtUp()
            let context = try await service.call(GetContext(customerId: lea), channel: "messenger")
            #expect(context.view.identifiers.map(\.kind) == [.email])
            #expect(context.view.touchpoints.map(\.touchpointId) == [click.touchpointId])
            #expect(click.attributes == nil, "the stored reply leaves out what the product looked like")
            #expect(context.view.touchpoints.first?.attributes?["colour"] == "red")
            #expect(context.view.cases.map(\.caseId) == [opened.caseId])
            #expect(context.applied[IdentityEvent.source] == (try await service.identity.commands.health().head))
            #expect(context.applied[ConversationEvent.source] == (try await service.commands.health().head))
        }
    }

    @Test("a merge joins the two timelines, touchpoints and cases under the survivor")
    func merge() async throws {
        try await ConversationHarness.with { service in
            let app = try await service.identity.resolve(.device, "ios-1", channel: "app")
            let lea = try await service.customer("lea@example.com")
            try await service.say("anonymous question from the app chat", from: app, on: "chat")
            let touchpoint = try await service.call(RecordTouchpoint(customerId: app, kind: .productView, productId: "shoe-aria"), channel: "app")
            try await service.say("hello from my e-mail", from: lea, on: "email")
            let openedForApp = try await service.call(OpenCase(customerId: app, subject: "Delivery question"), channel: "chat")
            let _ = try await service.identity.commands.call(MergeCustomers(survivorId: lea, mergedId: app), channel: "backoffice")
            try await service.caughtUp()

            let conversation = try await service.call(GetConversation(customerId: app), channel: "call_center")
            #expect(conversation.customerId == lea)
            #expect(conversation.channels == ["chat", "email"])
            #expect(Set(conversation.messages.map(\.customerId)) == [lea])
            #expect(try await service.call(ListTouchpoints(customerId: lea), channel: "call_center").touchpoints.map(\.touchpointId)
                    == [touchpoint.touchpointId])
            #expect(try await service.call(GetCase(caseId: openedForApp.caseId), channel: "call_center").customerId == lea)
            let context = try await service.call(GetContext(customerId: app), channel: "call_center")
            #expect(context.customerId == lea && context.view.mergedIds == [app])
            #expect(context.view.touchpoints.map(\.touchpointId) == [touchpoint.touchpointId])
            #expect(context.view.cases.map(\.caseId) == [openedForApp.caseId])
        }
    }

    @Test("an erasure removes the customer's words and touchpoints from every byte of the files, and keeps cases without them")
    func erasure() async throws {
        let service = try await ConversationHarness.start()
        do {
            let gone = try await service.customer("gone@example.com")
            let other = try await service.customer("other@example.com")
            try await service.say("Wilma's unrelated question", from: other, on: "chat")
            try await service.say("my name is Wilhelmina Vergessen", from: gone, on: "chat")
            let opened = try await service.call(OpenCase(customerId: gone, subject: "Vergessen complaint"), channel: "chat")
            let _ = try await service.call(UpdateCase(caseId: opened.caseId, note: "Wilhelmina called"), channel: "call_center")
            let _ = try await service.call(RecordTouchpoint(customerId: gone, kind: .search, query: "zzqvergessen boots"), channel: "web")
            let _ = try await service.call(RecordTouchpoint(customerId: gone, kind: .productView, productId: "shoe-aria",
                                                            attributes: ["colour": "qqxviolet"]), channel: "web")
            let _ = try await service.identity.commands.call(EraseCustomer(customerId: gone), channel: "backoffice")
            try await service.caughtUp()

            #expect(try await service.send(GetConversation(customerId: gone), channel: "call_center").error?.code == .notFound)
            #expect(try await service.call(GetConversation(customerId: other), channel: "call_center").messages.map(\.text)
                    == ["Wilma's unrelated question"], "another customer's conversation is untouched")
            let kept = try await service.call(GetCase(caseId: opened.caseId), channel: "call_center")
            #expect(kept.customerId == nil && kept.subject == nil && kept.status == .open)
            #expect(kept.timeline.allSatisfy { $0.detail == nil || $0.kind == .status })
            #expect(try await service.call(SearchMessages(query: "Wilhelmina"), channel: "call_center").hits.isEmpty)
            let erased = try service.service.loggedEvents(ConversationEvent.CustomerDataErased.type, as: ConversationEvent.CustomerDataErased.self)
            #expect(erased.map(\.data.messagesErased) == [1])
            try await eventually("the erasure's compaction ran") { try await service.commands.health().pendingCompactions == 0 }
        } catch {
            try await service.stop()
            throw error
        }
        try await service.service.stop()
        for file in ["conversation.sqlite", "conversation.sqlite-wal"] {
            guard let bytes = FileManager.default.contents(atPath: service.directory.file(file)) else { continue }
            for word in ["Wilhelmina", "wilhelmina", "Vergessen", "zzqvergessen", "qqxviolet"] {  // the index keeps terms in lower case
                #expect(bytes.range(of: Data(word.utf8)) == nil, "\(file) still holds \(word)")
            }
        }
        try await service.identity.stop()
        service.directory.remove()
    }

    @Test("bad input gets a typed error and writes nothing", arguments: [
        (RecordMessage.name, JSONValue.object(["customerId": .string("cus_x"), "direction": .string("inbound"), "text": .string("")]), ErrorCode.invalidArgument),
        (RecordMessage.name, .object(["direction": .string("inbound"), "text": .string("no sender")]), .invalidArgument),
        (RecordMessage.name, .object(["customerId": .string("cus_x"), "direction": .string("sideways"), "text": .string("hi")]), .invalidArgument),
        (RecordMessage.name, .object(["customerId": .string("cus_x"), "direction": .string("inbound"), "text": .string(String(repeating: "x", count: 10_001))]), .invalidArgument),
        (RecordMessage.name, .object(["customerId": .string("cus_x"), "direction": .string("inbound"), "text": .string("hi"), "caseId": .string("case_nope")]), .notFound),
        (RecordMessage.name, .object(["customerId": .string("cus_x"), "direction": .string("inbound"), "text": .string(String(repeating: "x", count: 1_100_000))]), .tooLarge),
        (RecordTouchpoint.name, .object(["customerId": .string("cus_x"), "kind": .string("telepathy")]), .invalidArgument),
        (RecordTouchpoint.name, .object(["customerId": .string("not-a-customer"), "kind": .string("search")]), .invalidArgument),
        (OpenCase.name, .object(["customerId": .string("cus_x"), "subject": .string("  ")]), .invalidArgument),
        (UpdateCase.name, .object(["caseId": .string("case_nope"), "note": .string("hi")]), .notFound),
        (SearchMessages.name, .object(["query": .string("AND OR")]), .invalidArgument),
        (UpdateCase.name, .object(["caseId": .string("case_nope"), "goodwill": .bool(true)]), .notFound),
    ])
    func badInput(command: String, body: JSONValue, code: ErrorCode) async throws {
        try await ConversationHarness.with { service in
            let head = try await service.commands.health().head
            let reply = try await service.sendRaw(command, body, channel: "chat")
            #expect(reply.error?.code == code, "\(String(describing: reply.error))")
            #expect(try await service.commands.health().head == head)
        }
    }
}

@Suite("Conversation: channels and case transitions")
struct ConversationRulesTests {
    @Test("a message from an unknown channel is refused; a goodwill gesture needs a resolution and comes once; a closed case takes no more changes or messages")
    func refusals() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let carrierPigeon = try await service.send(RecordMessage(customerId: lea, direction: .inbound, text: "coo"), channel: "pigeon")
            #expect(carrierPigeon.error?.code == .invalidArgument)
            let opened = try await service.call(OpenCase(customerId: lea, subject: "Question"), channel: "chat")
            let gestureAlone = try await service.send(UpdateCase(caseId: opened.caseId, goodwill: true), channel: "call_center")
            #expect(gestureAlone.error?.code == .invalidArgument, "a goodwill gesture comes with resolving or closing")
            let _ = try await service.call(UpdateCase(caseId: opened.caseId, status: .closed), channel: "call_center")
            let reopen = try await service.send(UpdateCase(caseId: opened.caseId, status: .open), channel: "call_center")
            #expect(reopen.error?.code == .conflict)
            let late = try await service.send(RecordMessage(customerId: lea, direction: .inbound, text: "one more thing", caseId: opened.caseId),
                                              channel: "chat")
            #expect(late.error?.code == .conflict)

            let post = try await service.say("it broke again", from: lea, on: "social")
            let second = try await service.call(OpenCase(customerId: lea, subject: "Broke again", messageId: post.messageId), channel: "social")
            let refiled = try await service.send(OpenCase(customerId: lea, subject: "Same post", messageId: post.messageId), channel: "social")
            #expect(refiled.error?.code == .conflict, "a message filed in a case does not open another")
            let _ = try await service.call(UpdateCase(caseId: second.caseId, status: .resolved, goodwill: true), channel: "call_center")
            let again = try await service.send(UpdateCase(caseId: second.caseId, status: .closed, goodwill: true), channel: "call_center")
            #expect(again.error?.code == .conflict, "one goodwill gesture per case")
        }
    }
}
