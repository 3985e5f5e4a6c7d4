import Foundation
import GRDB
import NotificationsService
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Notifications: the customer's channel and language, consent, once")
struct NotificationsTests {
    @Test("with no e-mail server configured, the Italian customer's notification is rendered in Italian and waits, queued; erased, it is cancelled")
    func orderReadyInItalian() async throws {
        try await NotificationsHarness.with { harness in
            let giulia = try await harness.customer(device: "ios-g", email: "giulia@example.it", locale: "it-IT")
            let order = try await harness.orderReadyForPickup(giulia)
            try await harness.caughtUp()
            let ready = try await harness.log(giulia).filter { $0.ruleId == "order-ready" }
            #expect(ready.count == 1)
            let notification = try #require(ready.first)
            #expect(notification.channel == .email && notification.locale == "it")
            #expect(notification.subject == "Il tuo ordine è pronto per il ritiro")
            #expect(notification.body == "Il tuo ordine \(order.orderId) è pronto per il ritiro presso berlin.")
            #expect(notification.status == .queued && notification.dueAt == nil, "no e-mail adapter: queued, not lost")
            #expect(notification.reason?.contains("no email delivery adapter") == true)

            let _ = try await harness.identity.commands.call(EraseCustomer(customerId: giulia), channel: "backoffice")
            try await harness.caughtUp()
            let left = try harness.service.runtime.store.database.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT status, customerId, address, body FROM notification WHERE id = ?", arguments: [notification.notificationId])
            }
            #expect(left?["status"] == "cancelled", "erased while it waited: cancelled, never sent")
            #expect(left?["customerId"] as String? == nil && left?["address"] as String? == nil && left?["body"] as String? == nil)
        }
    }

    @Test("a customer with no address gets the message in the app's inbox, posted on the bus, in English by default")
    func inAppInbox() async throws {
        try await NotificationsHarness.with { harness in
            let anonymous = try await harness.customer(device: "android-1")
            let order = try await harness.orderReadyForPickup(anonymous)
            try await harness.caughtUp()
            let ready = try #require(try await harness.log(anonymous).first { $0.ruleId == "order-ready" })
            #expect(ready.channel == .inApp && ready.status == .sent && ready.locale == "en")
            let posted = try harness.service.loggedEvents(NotificationsEvent.InboxPosted.type, as: NotificationsEvent.InboxPosted.self)
                .filter { $0.data.notificationId == ready.notificationId }
            #expect(posted.map(\.data.body) == ["Your order \(order.orderId) is ready for pickup at berlin."])
        }
    }

    @Test("a replay of every event sends nothing a second time")
    func replaySendsNothingTwice() async throws {
        try await NotificationsHarness.with { harness in
            let lea = try await harness.customer(device: "ios-l", email: "lea@example.com")
            try await harness.orderReadyForPickup(lea)
            try await harness.caughtUp()
            let before = try await harness.log(lea)
            #expect(before.map(\.ruleId).sorted() == ["order-placed", "order-ready"])
            try await harness.replayEverything()
            try await harness.caughtUp()
            #expect(try await harness.log(lea) == before)
        }
    }

    @Test("marketing without consent is suppressed and nothing reaches the SMTP server; with consent the e-mail goes")
    func marketingNeedsConsent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("templates"), withIntermediateDirectories: true)
        try #"{"rules": [{"ruleId": "promo", "on": "orders.order.placed", "purpose": "marketing", "template": "promo"}]}"#
            .write(toFile: directory.file("rules.json"), atomically: true, encoding: .utf8)
        try "subject: More shoes?\nOrder {{event.orderId}} deserves a friend.\n".write(toFile: directory.file("templates/promo.en.mustache"),
                                                                                     atomically: true, encoding: .utf8)
        let smtp = try await Sink.smtp(in: directory)
        let delivery = DeliverySettings(smtp: SMTPConfiguration(host: "127.0.0.1", port: smtp.port, from: "shop@omnibus.example"),
                                        pollInterval: .milliseconds(10))
        try await NotificationsHarness.with(rules: try NotificationRules.load(directory: directory.path), delivery: delivery) { harness in
            let max = try await harness.customer(device: "ios-m", email: "max@example.com")
            try await harness.orderReadyForPickup(max)
            try await harness.caughtUp()
            let first = try #require(try await harness.log(max).first)
            #expect(first.status == .suppressed && first.channel == nil && first.body == nil)
            #expect(try harness.service.loggedEvents(NotificationsEvent.InboxPosted.type, as: NotificationsEvent.InboxPosted.self).isEmpty)

            let _ = try await harness.identity.commands.call(SetConsent(customerId: max, purpose: .marketing, channel: .email, granted: true),
                                                             channel: "web")
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(max)
            let second = try await harness.notification(max, rule: "promo", becomes: [.sent])
            #expect(second.channel == .email)
            // The consented message arrived, and it is the only one the server ever saw.
            #expect(try smtp.received().map { $0["subject"] as? String } == ["More shoes?"])
            #expect(try smtp.received().first?["rcpt_tos"] as? [String] == ["max@example.com"])
            try await smtp.stop()
        }
    }

    @Test("broken templates and unknown rule fields are refused at load, with file, line and reason")
    func brokenRulesRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("templates"), withIntermediateDirectories: true)
        try "subject: Ready\nline one\nline two {{#event}} closed by {{/another}}\nline four\n".write(toFile: directory.file("templates/ready.en.mustache"),
                                                                           atomically: true, encoding: .utf8)
        try "{\n  \"rules\": [\n    {\"ruleId\": \"ready\", \"on\": \"orders.order.ready_for_pickup\", \"purpose\": \"service\", \"template\": \"ready\"}\n  ]\n}\n"
            .write(toFile: directory.file("rules.json"), atomically: true, encoding: .utf8)
        let template = #expect(throws: NotificationRules.LoadError.self) { try NotificationRules.load(directory: directory.path) }
        #expect(template?.file.hasSuffix("templates/ready.en.mustache") == true)
        #expect(template?.line == 3)

        try "subject: Ready\nYour order is ready.\n".write(toFile: directory.file("templates/ready.en.mustache"), atomically: true, encoding: .utf8)
        try "{\n  \"rules\": [\n    {\"ruleId\": \"ready\", \"on\": \"orders.order.ready_for_pickup\",\n     \"purpose\": \"service\", \"template\": \"ready\", \"sendAt\": 5}\n  ]\n}\n"
            .write(toFile: directory.file("rules.json"), atomically: true, encoding: .utf8)
        let field = #expect(throws: NotificationRules.LoadError.self) { try NotificationRules.load(directory: directory.path) }
        #expect(field?.file.hasSuffix("rules.json") == true)
        #expect(field?.line == 4)
        #expect(field?.reason.contains("unknown field 'sendAt'") == true)

        try "{\n  \"rules\": [\n    {\"ruleId\": \"ready\", \"on\": \"orders.order.ready_for_pickup\",\n     \"purpose\": \"service\", \"template\": \"ready\", \"idle\": \"4 hours\"}\n  ]\n}\n"
            .write(toFile: directory.file("rules.json"), atomically: true, encoding: .utf8)
        let duration = #expect(throws: NotificationRules.LoadError.self) { try NotificationRules.load(directory: directory.path) }
        #expect(duration?.line == 3 && duration?.reason.contains("a duration is") == true)
        #expect(try NotificationRules.load(directory: NotificationsHarness.shippedRules).rules.count == 8, "the shipped rules load")
    }

    @Test("an erasure removes addresses and the words of sent messages, also from the inbox events; a merge moves the log")
    func erasureAndMerge() async throws {
        try await NotificationsHarness.with { harness in
            let app = try await harness.customer(device: "ios-x")
            try await harness.orderReadyForPickup(app)
            let web = try await harness.customer(device: "web-x", email: "wilhelmina@example.com")
            let _ = try await harness.identity.commands.call(MergeCustomers(survivorId: web, mergedId: app), channel: "backoffice")
            try await harness.caughtUp()
            #expect(try await harness.log(web).count == 2, "the merged customer's notifications are the survivor's")

            let _ = try await harness.identity.commands.call(EraseCustomer(customerId: web), channel: "backoffice")
            try await harness.caughtUp()
            #expect(try await harness.notifications.send(GetNotificationLog(customerId: web), channel: "call_center").error?.code == .notFound)
            let posted = try harness.service.loggedEvents(NotificationsEvent.InboxPosted.type, as: NotificationsEvent.InboxPosted.self)
            #expect(!posted.isEmpty && posted.allSatisfy { $0.data.body == nil && $0.data.subject == nil })
            let leftovers = try await harness.service.runtime.store.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contactAddress")! + Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification WHERE body IS NOT NULL")!
            }
            #expect(leftovers == 0)
        }
    }

    @Test func registeredCommandsEqualTheContract() {
        #expect(NotificationsService.commands().commandNames == NotificationsCommand.all.map { $0.name }.sorted())
    }
}
