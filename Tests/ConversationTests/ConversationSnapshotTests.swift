@testable import ConversationService
import Foundation
import GRDB
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Conversation's snapshot (docs/CONVERSATION.md, "Snapshot"): what a consumer away longer
/// than the retained log folds from it is what it would have folded from the events.
@Suite("Conversation: the snapshot serves the customer view's touchpoints and cases")
struct ConversationSnapshotTests {
    @Test("touchpoints over the view's limit, cases opened, updated and closed, a merge and an erasure: the snapshot folds to the events' views")
    func snapshotFoldsToTheEventsViews() async throws {
        try await ConversationHarness.with { service in
            let lea = try await service.customer("lea@example.com")
            let app = try await service.identity.resolve(.device, "ios-snapshot", channel: "app")
            let max = try await service.customer("max@example.com")
            let ola = try await service.customer("ola@example.com")
            let gone = try await service.customer("gone@example.com")

            // More touchpoints than the view keeps, some in the same millisecond (the id breaks the tie).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<14 {
                    group.addTask {
                        let _ = try await service.call(RecordTouchpoint(customerId: lea, kind: .productView, productId: "shoe-\(index)"),
                                                       channel: "web")
                    }
                }
                try await group.waitForAll()
            }
            let first = try await service.call(OpenCase(customerId: lea, subject: "Which size?", priority: .low), channel: "chat")
            let _ = try await service.call(UpdateCase(caseId: first.caseId, assignee: "agent-2", note: "asked for her size"),
                                           channel: "call_center")
            for index in 0..<5 {
                let _ = try await service.call(RecordTouchpoint(
                    customerId: app, kind: .adClick, campaign: "spring-\(index)", productId: "shoe-aria",
                    attributes: ["colour": "red"], price: Money(amountMinor: 8_999, currency: "EUR")), channel: "instagram")
            }
            let appCase = try await service.call(OpenCase(customerId: app, subject: "Delivery question", followUpChannel: "email",
                                                          orderIds: ["ord_7"]), channel: "app")
            let _ = try await service.call(UpdateCase(caseId: appCase.caseId, priority: .high), channel: "call_center")
            let _ = try await service.call(OpenCase(customerId: max, subject: "Invoice, please"), channel: "email")
            let _ = try await service.call(RecordTouchpoint(customerId: ola, kind: .search, query: "red boots"), channel: "web")
            let goneCase = try await service.call(OpenCase(customerId: gone, subject: "Forget me"), channel: "chat")
            let _ = try await service.call(RecordTouchpoint(customerId: gone, kind: .storeVisit, storeId: "berlin-1"), channel: "store")

            let _ = try await service.identity.commands.call(MergeCustomers(survivorId: lea, mergedId: app), channel: "backoffice")
            let _ = try await service.identity.commands.call(EraseCustomer(customerId: gone), channel: "backoffice")
            try await service.caughtUp()

            // After the merge the old id lands on the survivor; a case without a customer still changes.
            for index in 0..<3 {
                let _ = try await service.call(RecordTouchpoint(customerId: app, kind: .emailLink, campaign: "news-\(index)"), channel: "email")
            }
            let _ = try await service.call(UpdateCase(caseId: appCase.caseId, status: .resolved, goodwill: true), channel: "call_center")
            let _ = try await service.call(UpdateCase(caseId: first.caseId, orderIds: ["ord_9"]), channel: "chat")
            let _ = try await service.call(UpdateCase(caseId: goneCase.caseId, status: .closed), channel: "call_center")

            // The snapshot as a consumer reads it: pages in key order from one read transaction.
            let provider = ConversationSnapshot.provider
            let (records, whole, head) = try await service.service.runtime.store.database.pool.read { db in
                var records: [SnapshotRecord] = []
                while true {
                    let page = try provider.kinds[0].read(db, records.last?.key, 2)
                    records += page
                    if page.count < 2 { break }
                }
                return (records, try provider.kinds[0].read(db, nil, 100),
                        try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0)
            }
            #expect(records == whole, "pages read on from the last key make the whole")
            #expect(records.map(\.key) == [lea, max, ola].sorted(), "one record per customer with touchpoints or cases; none for the erased")
            #expect(records.allSatisfy { $0.kind == ConversationSnapshot.customerKind })
            let states = try records.map { try $0.decode(ConversationSnapshot.CustomerState.self) }
            #expect(states.map(\.customerId) == records.map(\.key))

            // The views folded from identity's and conversation's logs ...
            let identityLog = try service.identity.service.loggedEnvelopes()
            var fromEvents = CustomerViews()
            for envelope in identityLog + (try service.service.loggedEnvelopes()) { try fromEvents.apply(envelope) }
            // ... and from identity's log and conversation's snapshot.
            var fromSnapshot = CustomerViews()
            for envelope in identityLog { try fromSnapshot.apply(envelope) }
            let changed = fromSnapshot.apply(snapshot: records, of: ConversationEvent.source, through: head)
            #expect(changed == [lea, max, ola])
            #expect(fromEvents.skipped == 0 && fromSnapshot.skipped == 0)

            let leaView = try #require(fromEvents.view(of: app))
            #expect(leaView.customerId == lea)
            #expect(leaView.touchpoints.count == ConversationCommand.touchpointsInView, "the view keeps the newest few of 22")
            #expect(Set(leaView.touchpoints.map(\.customerId)) == [lea, app], "touchpoints say whom they were recorded for")
            #expect(leaView.cases.map(\.caseId) == [appCase.caseId, first.caseId], "newest opened first")
            #expect(leaView.cases.allSatisfy { $0.openedSequence != nil && $0.asOf > $0.openedSequence! })
            #expect(leaView.cases.first?.status == .resolved && leaView.cases.last?.orderIds == ["ord_9"])
            #expect(fromEvents.view(of: gone)?.status == .erased)
            let leaState = try #require(states.first { $0.customerId == lea })
            #expect(leaState.touchpoints == leaView.touchpoints, "the record holds the same few touchpoints the view keeps, in its order")
            #expect(leaState.cases == leaView.cases, "and the cases as the view holds them")

            #expect(fromSnapshot.unseen == fromEvents.unseen, "the snapshot folds to the views the events fold to")
        }
    }
}
