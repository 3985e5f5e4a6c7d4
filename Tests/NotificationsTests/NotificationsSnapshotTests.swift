import Foundation
import GRDB
@testable import NotificationsService
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Notifications' snapshot (docs/NOTIFICATIONS.md, "Snapshot"): what a front end away longer
/// than the retained log folds from it is what it would have folded from the status events.
@Suite("Notifications: the snapshot serves the customer view's notifications")
struct NotificationsSnapshotTests {
    @Test("sent, queued, retrying, failed, suppressed and deferred notifications, a merge and an erasure: the snapshot folds to the events' views")
    func snapshotFoldsToTheEventsViews() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Every SMS try fails; the second and last ends the notification `failed`.
        let http = try await Sink.http(in: directory, statuses: [500])
        let clock = ManualClock(ScheduleTests.lateEvening)
        try await NotificationsHarness.with(delivery: DeliveryTests.settings(smtp: nil, http: http, certificate: nil, attempts: 2),
                                            clock: .manual(clock)) { harness in
            // In the app's inbox (no address): sent at once; merged below into wil.
            let anon = try await harness.customer(device: "ios-snap-anon")
            try await harness.orderReadyForPickup(anon)
            // E-mail, and no e-mail adapter: queued, with the reason.
            let wil = try await harness.customer(device: "web-snap-wil", email: "wil@example.com")
            try await harness.orderReadyForPickup(wil)
            // SMS: the first try fails and a retry waits (no event: the row's reason is not the view's).
            let sara = try await ScheduleTests.smsCustomer(harness, "ios-snap-sara", phone: "+39 333 100 2000", marketing: false)
            try await harness.orderReadyForPickup(sara)
            let eva = try await harness.customer(device: "ios-snap-eva", email: "eva@example.com")
            try await harness.orderReadyForPickup(eva)
            try await Self.retrying(harness, sara, count: 2)
            try await harness.caughtUp()

            let _ = try await harness.identity.commands.call(MergeCustomers(survivorId: wil, mergedId: anon), channel: "backoffice")
            let _ = try await harness.identity.commands.call(EraseCustomer(customerId: eva), channel: "backoffice")
            try await harness.caughtUp()

            // Three days on: sara's second tries fail for good; the care kit suggestions (marketing,
            // no consent) are suppressed — two for wil, anon's moved to him.
            clock.advance(by: .seconds(3 * 86_400 + 3600))
            try await eventually("sara's notifications failed, the suggestions suppressed") {
                let saras = try await harness.log(sara)
                let wils = try await harness.log(wil)
                return saras.filter { $0.status == .failed }.count == 2 && saras.filter { $0.status == .suppressed }.count == 1
                    && wils.filter { $0.ruleId == "shoe-care-kit" && $0.status == .suppressed }.count == 2
            }
            // 01:30 in Rome: quiet hours defer nina's; tom's wait for their retry.
            let nina = try await ScheduleTests.smsCustomer(harness, "ios-snap-nina", phone: "+39 333 300 4000",
                                                           quietHours: QuietHours(start: "22:00", end: "07:00", timeZone: "Europe/Rome"),
                                                           marketing: false)
            try await harness.orderReadyForPickup(nina)
            let tom = try await ScheduleTests.smsCustomer(harness, "ios-snap-tom", phone: "+39 333 500 6000", marketing: false)
            try await harness.orderReadyForPickup(tom)
            try await eventually("nina's notifications deferred") {
                try await harness.log(nina).filter { $0.status == .deferred }.count == 2
            }
            try await Self.retrying(harness, tom, count: 2)
            try await harness.caughtUp()

            // The snapshot as a consumer reads it: pages in key order from one read transaction.
            let provider = NotificationLogSnapshot.provider
            let (records, whole, head, log) = try await harness.service.runtime.store.database.pool.read { db in
                var records: [SnapshotRecord] = []
                while true {
                    let page = try provider.kinds[0].read(db, records.last?.key, 2)
                    records += page
                    if page.count < 2 { break }
                }
                return (records, try provider.kinds[0].read(db, nil, 100), try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0,
                        try Data.fetchAll(db, sql: "SELECT envelope FROM outbox ORDER BY sequence"))
            }
            #expect(records == whole, "pages read on from the last key make the whole")
            #expect(records.map(\.key) == [wil, sara, nina, tom].sorted(), "one record per customer with notifications; none for the erased or merged")
            #expect(records.allSatisfy { $0.kind == NotificationsSnapshot.customerKind })
            let states = try records.map { try $0.decode(NotificationsSnapshot.CustomerState.self) }
            #expect(states.map(\.customerId) == records.map(\.key))
            let served = states.flatMap(\.notifications)
            #expect(Set(served.map(\.status)) == [.sent, .queued, .failed, .suppressed, .deferred])
            #expect(served.allSatisfy { $0.firstSequence > 0 && $0.asOf >= $0.firstSequence })
            let toms = try #require(states.first { $0.customerId == tom }).notifications
            #expect(toms.count == 2 && toms.allSatisfy { $0.status == .queued && $0.reason == nil },
                    "as notification.queued said, not the waiting retry's reason")
            #expect(try await harness.log(tom).allSatisfy { $0.reason?.hasPrefix("try 1 failed") == true })

            // The views folded from identity's and notifications' logs ...
            let identityLog = try harness.identity.service.loggedEnvelopes()
            var fromEvents = CustomerViews()
            for envelope in identityLog + log { try fromEvents.apply(envelope) }
            // ... and from identity's log and notifications' snapshot.
            var fromSnapshot = CustomerViews()
            for envelope in identityLog { try fromSnapshot.apply(envelope) }
            let changed = fromSnapshot.apply(snapshot: records, of: NotificationsEvent.source, through: head)
            #expect(changed == [wil, sara, nina, tom])
            #expect(fromEvents.skipped == 0 && fromSnapshot.skipped == 0)

            let wilView = try #require(fromEvents.view(of: anon))
            #expect(wilView.customerId == wil)
            #expect(wilView.notifications.count == 6, "two in-app and two queued e-mails, two suggestions suppressed")
            #expect(wilView.notifications.map(\.firstSequence) == wilView.notifications.map(\.firstSequence).sorted(by: >), "newest first")
            #expect(fromEvents.view(of: eva)?.status == .erased && fromEvents.view(of: eva)?.notifications.isEmpty == true)
            let sarasView = try #require(fromEvents.view(of: sara))
            #expect(sarasView.notifications.contains { $0.status == .failed && $0.asOf > $0.firstSequence })

            #expect(fromSnapshot.unseen == fromEvents.unseen, "the snapshot folds to the views the events fold to")

            // Rows from before the positions were kept serve 0 and their own status and reason.
            try await harness.service.runtime.store.database.pool.write { db in
                try db.execute(sql: "UPDATE notification SET firstSequence = NULL, lastSequence = NULL, lastStatus = NULL, lastReason = NULL WHERE customerId = ?",
                               arguments: [tom])
            }
            let old = try await harness.service.runtime.store.database.pool.read { db in
                try NotificationLogSnapshot.customers(after: nil, limit: 100, in: db)
            }
            let oldToms = try #require(try old.map { try $0.decode(NotificationsSnapshot.CustomerState.self) }.first { $0.customerId == tom })
            #expect(oldToms.notifications.allSatisfy { $0.firstSequence == 0 && $0.asOf == 0 && $0.reason?.hasPrefix("try 1 failed") == true })
        }
        try await http.stop()
    }

    /// Waits until `count` of the customer's notifications have had one try fail and wait for the next.
    static func retrying(_ harness: NotificationsHarness, _ customerId: String, count: Int) async throws {
        try await eventually("\(count) notifications of \(customerId) waiting to be retried") {
            try await harness.log(customerId).filter { $0.status == .queued && $0.attempts == 1 && $0.reason?.hasPrefix("try 1 failed") == true }
                .count == count
        }
    }
}
