import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// The notifications process SIGKILLed in the one window its outbox cannot close — after the
/// provider accepted a message, before the service recorded it — and started again.
@Suite("Notifications process: killed between send and record")
struct NotificationsCrashTests {
    static let secret = "crash-test-signing-key-0123456789"

    @Test("SIGKILL between send and record → one resend, with the same delivery id; the log says sent, after two tries")
    func killedBetweenSendAndRecord() async throws {
        try await ServiceProcesses.with(["identity", "orders", "notifications"]) { suite in
            let http = try await Sink.http(in: suite.directory, secret: Self.secret)
            let delivery = ["--webhook", "sms=http://127.0.0.1:\(http.port)/sms", "--initial-backoff-ms", "50"]
            try suite.start("identity")
            try suite.start("orders")
            try suite.start("notifications", fault: "notifications.after-send", arguments: delivery,
                            environment: ["OMNIBUS_WEBHOOK_SECRET": Self.secret])
            let rosa = try await suite.resolve(.phone, "+39 347 555 0101", channel: "store")
            let _ = try await suite.identity.call(SetPreferences(customerId: rosa, preferredChannel: .sms), channel: "store")
            try await suite.ordersCaughtUp()
            let identityHead = try await suite.identity.health().head
            try await eventually("notifications knows Rosa's phone and preference") {
                try await suite.sender("notifications").health().subscriptions["identity"]?.applied == identityHead
            }
            try await suite.add(rosa, "shoe-aria-red-38", 1, channel: "store")
            let _ = try await suite.orders.call(Checkout(customerId: rosa, fulfilment: .pickup(at: "berlin-mitte")), channel: "store")

            try await suite.waitUntilKilled("notifications")
            let firstTries = try http.received()
            let sentBeforeCrash = Set(firstTries.compactMap(Self.deliveryId))
            #expect(!sentBeforeCrash.isEmpty, "the provider had the message when the process died")

            try suite.start("notifications", arguments: delivery, environment: ["OMNIBUS_WEBHOOK_SECRET": Self.secret])
            let log = suite.sender("notifications")
            var placed: NotificationView?
            try await eventually("order-placed recorded as sent after the restart") {
                placed = try await log.call(GetNotificationLog(customerId: rosa), channel: "call_center").notifications
                    .first { $0.ruleId == "order-placed" && $0.status == .sent }
                return placed != nil
            }
            let id = try #require(placed?.notificationId)
            #expect(sentBeforeCrash.contains(id))
            #expect(placed?.attempts == 2, "the try the crash interrupted, and the one resend")
            let tries = try http.received().filter { Self.deliveryId($0) == id }
            #expect(tries.count == 2, "sent, killed before recording, sent again once")
            #expect(tries.allSatisfy { $0["signature_valid"] as? Bool == true })
            try await http.stop()
        }
    }

    static func deliveryId(_ request: [String: Any]) -> String? {
        (request["headers"] as? [String: String])?["Omnibus-Delivery-Id"]
    }
}
