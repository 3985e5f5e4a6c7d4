import Foundation
import NotificationsService
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Quiet hours, the frequency cap, delayed and idle rules, on a clock the test moves: SMS
/// go to a real HTTP endpoint, and the durable timers live in the service's SQLite file.
@Suite("Notifications: quiet hours, frequency cap, abandoned carts and suggestions, on a controllable clock")
struct ScheduleTests {
    /// 2026-12-01 23:30 UTC: 00:30 on 2 December in Rome.
    static let lateEvening = Date(timeIntervalSince1970: 1_796_167_800)

    static func withSchedule(rules: NotificationRules? = nil, _ body: (NotificationsHarness, ManualClock, Sink) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory)
        let clock = ManualClock(lateEvening)
        try await NotificationsHarness.with(rules: rules, delivery: DeliveryTests.settings(smtp: nil, http: http, certificate: nil),
                                            clock: .manual(clock)) { harness in
            try await body(harness, clock, http)
        }
        try await http.stop()
    }

    /// A customer reached by SMS, with marketing consent unless told otherwise.
    static func smsCustomer(_ harness: NotificationsHarness, _ device: String, phone: String, quietHours: QuietHours? = nil,
                            marketing: Bool = true) async throws -> String {
        let customerId = try await harness.customer(device: device)
        try await harness.reach(customerId, phone: phone, preferred: .sms, quietHours: quietHours)
        if marketing {
            let _ = try await harness.identity.commands.call(SetConsent(customerId: customerId, purpose: .marketing, channel: .sms, granted: true),
                                                             channel: "app")
        }
        try await harness.caughtUp()
        return customerId
    }

    /// Waits until the delivery worker has looked at everything due at the clock's current
    /// time: a new customer's service message, due now, has been delivered after it.
    static func settled(_ harness: NotificationsHarness, marker: String) async throws {
        let customerId = try await smsCustomer(harness, "marker-\(marker)", phone: "+39 333 000 \(marker)", marketing: false)
        try await harness.orderReadyForPickup(customerId)
        try await harness.notification(customerId, rule: "order-ready", becomes: [.sent])
    }

    @Test("quiet hours defer a message to their end, in the customer's time zone, and it goes then")
    func quietHoursDefer() async throws {
        try await Self.withSchedule { harness, clock, http in
            let quiet = QuietHours(start: "22:00", end: "07:00", timeZone: "Europe/Rome")
            let nina = try await Self.smsCustomer(harness, "ios-n", phone: "+39 333 111 2222", quietHours: quiet)
            try await harness.orderReadyForPickup(nina)
            let deferred = try await harness.notification(nina, rule: "order-ready", becomes: [.deferred])
            // 07:00 in Rome on 2 December is 06:00 UTC.
            #expect(deferred.dueAt == Timestamp(millisecondsSince1970: 1_796_191_200_000))
            #expect(deferred.reason?.contains("quiet hours 22:00–07:00 Europe/Rome") == true)
            try await Self.settled(harness, marker: "0001")
            #expect(try http.received().allSatisfy { ($0["body"] as? String)?.contains(nina) != true }, "nothing during quiet hours")

            clock.set(Date(timeIntervalSince1970: 1_796_191_200))
            let sent = try await harness.notification(nina, rule: "order-ready", becomes: [.sent])
            #expect(sent.sentAt == Timestamp(millisecondsSince1970: 1_796_191_200_000))
            #expect(try http.received().filter { ($0["headers"] as? [String: String])?["Omnibus-Delivery-Id"] == sent.notificationId }.count == 1)
        }
    }

    @Test("an abandoned cart gets one reminder after 4 idle hours, across a restart; a change restarts the wait; a checkout cancels it")
    func abandonedCart() async throws {
        try await Self.withSchedule { harness, clock, http in
            let carla = try await Self.smsCustomer(harness, "ios-c", phone: "+39 333 222 3333")
            let dario = try await Self.smsCustomer(harness, "ios-d", phone: "+39 333 444 5555")
            let _ = try await harness.ordersCommands.call(AddToCart(customerId: carla, sku: "shoe-red-38", quantity: 1), channel: "app")
            try await harness.caughtUp()
            clock.advance(by: .seconds(3 * 3600))
            let _ = try await harness.ordersCommands.call(AddToCart(customerId: carla, sku: "shoe-red-38", quantity: 1), channel: "web")
            try await harness.orderReadyForPickup(dario)
            try await harness.caughtUp()
            clock.advance(by: .seconds(2 * 3600))
            try await Self.settled(harness, marker: "0002")
            #expect(try await harness.log(carla).filter { $0.ruleId == "cart-abandoned" }.isEmpty, "2 h since the last change: still waiting")

            try await harness.restart()   // the wait is a row in SQLite, not a task in memory
            clock.advance(by: .seconds(2 * 3600 + 1))
            let reminder = try await harness.notification(carla, rule: "cart-abandoned", becomes: [.sent])
            #expect(reminder.purpose == .marketing && reminder.body?.contains("2 × shoe-red-38") == true)
            clock.advance(by: .seconds(24 * 3600))
            try await Self.settled(harness, marker: "0003")
            #expect(try await harness.log(carla).filter { $0.ruleId == "cart-abandoned" }.count == 1, "one reminder, not one per change")
            #expect(try await harness.log(dario).filter { $0.ruleId == "cart-abandoned" }.isEmpty, "checked out: no reminder")
            #expect(try http.received().filter { ($0["body"] as? String)?.contains("cart-abandoned") == true }.count == 1)
        }
    }

    @Test("after shoes, the care kit suggestion goes three days later (marketing, consented)")
    func shoeCareKitSuggestion() async throws {
        try await Self.withSchedule { harness, clock, _ in
            let elio = try await Self.smsCustomer(harness, "ios-e", phone: "+39 333 666 7777")
            let order = try await harness.orderReadyForPickup(elio)
            try await harness.caughtUp()   // the timer starts when notifications applies order.placed
            clock.advance(by: .seconds(2 * 86_400))
            try await Self.settled(harness, marker: "0004")
            #expect(try await harness.log(elio).filter { $0.ruleId == "shoe-care-kit" }.isEmpty)
            clock.advance(by: .seconds(86_400))
            let suggestion = try await harness.notification(elio, rule: "shoe-care-kit", becomes: [.sent])
            #expect(suggestion.body?.contains(order.orderId) == true && suggestion.channel == .sms)
        }
    }

    @Test("the frequency cap defers a marketing message until the window has room, never drops it")
    func frequencyCapDefers() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("templates"), withIntermediateDirectories: true)
        try """
            {"rules": [{"ruleId": "promo", "on": "orders.order.placed", "purpose": "marketing", "template": "promo"},
                       {"ruleId": "order-ready", "on": "orders.order.ready_for_pickup", "purpose": "service", "template": "promo"}],
             "frequencyCap": {"max": 1, "per": "24h"}}
            """.write(toFile: directory.file("rules.json"), atomically: true, encoding: .utf8)
        try "subject: News\nOrder {{event.orderId}}.\n".write(toFile: directory.file("templates/promo.en.mustache"), atomically: true, encoding: .utf8)
        try await Self.withSchedule(rules: try NotificationRules.load(directory: directory.path)) { harness, clock, _ in
            let fede = try await Self.smsCustomer(harness, "ios-f", phone: "+39 333 888 9999")
            try await harness.orderReadyForPickup(fede)
            let first = try await harness.notification(fede, rule: "promo", becomes: [.sent])
            clock.advance(by: .seconds(3600))
            try await harness.orderReadyForPickup(fede)
            let second = try await harness.notification(fede, rule: "promo", becomes: [.deferred])
            #expect(second.dueAt?.millisecondsSince1970 == (first.sentAt?.millisecondsSince1970 ?? 0) + 86_400_000)
            try await eventually("both service messages sent: they are not capped") {
                try await harness.log(fede).filter { $0.ruleId == "order-ready" && $0.status == .sent }.count == 2
            }
            try await harness.orderReadyForPickup(fede)
            try await eventually("a third promo, deferred too") {
                try await harness.log(fede).filter { $0.ruleId == "promo" && $0.status == .deferred }.count == 2
            }
            clock.advance(by: .seconds(23 * 3600))
            try await eventually("the deferred promo sent once the window has room") {
                try await harness.log(fede).first { $0.notificationId == second.notificationId }?.status == .sent
            }
            let third = try #require(try await harness.log(fede).first { $0.ruleId == "promo" && $0.status == .deferred })
            #expect(third.subject == "News" && third.body?.hasPrefix("Order ") == true)

            // Consent withdrawn while it waits: it never goes.
            let _ = try await harness.identity.commands.call(SetConsent(customerId: fede, purpose: .marketing, channel: .sms, granted: false),
                                                             channel: "app")
            try await harness.caughtUp()
            clock.advance(by: .seconds(25 * 3600))
            try await eventually("the third promo suppressed at its turn") {
                try await harness.log(fede).first { $0.notificationId == third.notificationId }?.status == .suppressed
            }
            let suppressed = try #require(try await harness.log(fede).first { $0.notificationId == third.notificationId })
            #expect(suppressed.reason?.contains("withdrawn") == true)
        }
    }
}
