import Foundation
import NotificationsService
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Deliveries to real receivers the tests start as their own processes: an SMTP server
/// (aiosmtpd, with STARTTLS) and an HTTP endpoint (a provider's webhook).
@Suite("Notifications: delivered by real SMTP and signed webhooks, retried, never twice")
struct DeliveryTests {
    static let secret = "test-signing-key-0123456789"

    /// Delivery settings for the sinks: e-mail over STARTTLS trusting the sink's certificate,
    /// SMS to the HTTP sink, fast retries.
    static func settings(smtp: Sink?, http: Sink?, certificate: String?, attempts: Int = 5) -> DeliverySettings {
        var settings = DeliverySettings(webhookSecret: Data(secret.utf8),
                                        retry: RetryPolicy(maxAttempts: attempts, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200)),
                                        pollInterval: .milliseconds(10))
        if let smtp {
            settings.smtp = SMTPConfiguration(host: "127.0.0.1", port: smtp.port, from: "shop@omnibus.example", tls: .required,
                                              trustRootsFile: certificate)
        }
        if let http { settings.webhooks[.sms] = "http://127.0.0.1:\(http.port)/sms" }
        return settings
    }

    @Test("order ready for pickup → exactly one e-mail, over STARTTLS, to the consented address, in Italian for an it customer")
    func readyForPickupEmail() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificate = try Sink.makeCertificate(in: directory)
        let smtp = try await Sink.smtp(in: directory, starttls: certificate)
        try await NotificationsHarness.with(delivery: Self.settings(smtp: smtp, http: nil, certificate: certificate.certificate)) { harness in
            let giulia = try await harness.customer(device: "ios-g", email: "giulia@example.it", locale: "it-IT")
            try await harness.caughtUp()
            let order = try await harness.orderReadyForPickup(giulia)
            let ready = try await harness.notification(giulia, rule: "order-ready", becomes: [.sent])
            #expect(ready.channel == .email && ready.locale == "it" && ready.attempts == 1)
            let mails = try smtp.received().filter { ($0["subject"] as? String) == "Il tuo ordine è pronto per il ritiro" }
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail["rcpt_tos"] as? [String] == ["giulia@example.it"])
            #expect(mail["tls"] as? Bool == true, "the server offered STARTTLS and the adapter took it")
            #expect(mail["body"] as? String == "Il tuo ordine \(order.orderId) è pronto per il ritiro presso berlin.")
            #expect((mail["headers"] as? [String: String])?["X-Omnibus-Delivery-Id"] == ready.notificationId)
            try await smtp.stop()
        }
    }

    @Test("preferred channel sms → one webhook, signed over timestamp and body with the shared key")
    func smsWebhookSigned() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory, secret: Self.secret)
        try await NotificationsHarness.with(delivery: Self.settings(smtp: nil, http: http, certificate: nil)) { harness in
            let sara = try await harness.customer(device: "ios-s", email: "sara@example.com")
            try await harness.reach(sara, phone: "+39 333 123 4567", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(sara)
            let ready = try await harness.notification(sara, rule: "order-ready", becomes: [.sent])
            #expect(ready.channel == .sms)
            let requests = try http.received().filter { ($0["headers"] as? [String: String])?["Omnibus-Delivery-Id"] == ready.notificationId }
            #expect(requests.count == 1)
            let request = try #require(requests.first)
            #expect(request["signature_valid"] as? Bool == true, "the sink recomputed HMAC-SHA256 over '<timestamp>.<body>' with the key")
            let payload = try #require(try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any])
            #expect(payload["to"] as? String == "+393331234567" && payload["channel"] as? String == "sms")
            #expect(payload["deliveryId"] as? String == ready.notificationId)
            try await http.stop()
        }
    }

    @Test("preferred channel push → one signed webhook to the push provider, addressed to the customer's device")
    func pushWebhook() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory, secret: Self.secret)
        var settings = Self.settings(smtp: nil, http: nil, certificate: nil)
        settings.webhooks[.push] = "http://127.0.0.1:\(http.port)/push"
        try await NotificationsHarness.with(delivery: settings) { harness in
            let pia = try await harness.customer(device: "ios-pia", email: "pia@example.com")
            try await harness.reach(pia, preferred: .push)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(pia)
            let ready = try await harness.notification(pia, rule: "order-ready", becomes: [.sent])
            #expect(ready.channel == .push)
            let request = try #require(try http.received().first { ($0["headers"] as? [String: String])?["Omnibus-Delivery-Id"] == ready.notificationId })
            #expect(request["path"] as? String == "/push" && request["signature_valid"] as? Bool == true)
            let payload = try #require(try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any])
            #expect(payload["to"] as? String == "ios-pia" && payload["channel"] as? String == "push")
            try await http.stop()
        }
    }

    @Test("a provider answering 500, 500, then 200 → delivered once, the same delivery id on all three tries")
    func retriesKeepTheDeliveryId() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory, statuses: [500, 500, 200], secret: Self.secret)
        try await NotificationsHarness.with(delivery: Self.settings(smtp: nil, http: http, certificate: nil)) { harness in
            let tom = try await harness.customer(device: "ios-t")
            try await harness.reach(tom, phone: "+49 151 2345 6789", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(tom)
            let ready = try await harness.notification(tom, rule: "order-ready", becomes: [.sent])
            #expect(ready.attempts == 3)
            let ids = try http.received().compactMap { ($0["headers"] as? [String: String])?["Omnibus-Delivery-Id"] }
            #expect(ids.filter { $0 == ready.notificationId }.count == 3)
            let sent = try harness.service.loggedEvents(NotificationsEvent.NotificationSent.type, as: NotificationsEvent.NotificationSent.self)
            #expect(sent.filter { $0.data.body.notificationId == ready.notificationId }.count == 1)
            try await http.stop()
        }
    }

    @Test("a provider refusing for good (400) → failed with the reason and a notification.failed event, not retried")
    func permanentRefusalFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory, statuses: [400])
        try await NotificationsHarness.with(delivery: Self.settings(smtp: nil, http: http, certificate: nil)) { harness in
            let ann = try await harness.customer(device: "ios-a")
            try await harness.reach(ann, phone: "+44 7700 900123", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(ann)
            let failed = try await harness.notification(ann, rule: "order-ready", becomes: [.failed])
            #expect(failed.attempts == 1 && failed.reason?.contains("400") == true)
            let events = try harness.service.loggedEvents(NotificationsEvent.NotificationFailed.type, as: NotificationsEvent.NotificationFailed.self)
            #expect(events.map(\.data.body.notificationId).contains(failed.notificationId))
            try await http.stop()
        }
    }

    @Test("an SMTP server refusing the mailbox (550) → failed at once with its answer; one that will not do STARTTLS when required → retried, then failed")
    func smtpRefusals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let smtp = try await Sink.smtp(in: directory, reject: ["gone@example.com"])
        var settings = Self.settings(smtp: smtp, http: nil, certificate: nil, attempts: 2)
        settings.smtp?.tls = .opportunistic
        try await NotificationsHarness.with(delivery: settings) { harness in
            let gone = try await harness.customer(device: "ios-gone", email: "gone@example.com")
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(gone)
            let refused = try await harness.notification(gone, rule: "order-ready", becomes: [.failed])
            #expect(refused.attempts == 1 && refused.reason?.contains("550") == true && refused.reason?.contains("RCPT TO") == true)
            #expect(try smtp.received().isEmpty)
        }
        settings.smtp?.tls = .required
        try await NotificationsHarness.with(delivery: settings) { harness in
            let ida = try await harness.customer(device: "ios-ida", email: "ida@example.com")
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(ida)
            let failed = try await harness.notification(ida, rule: "order-ready", becomes: [.failed])
            #expect(failed.attempts == 2 && failed.reason?.contains("does not offer STARTTLS") == true)
            #expect(try smtp.received().isEmpty, "nothing went in the clear")
        }
        try await smtp.stop()
    }

    @Test("a replay of the whole event log sends no second message")
    func replaySendsNoSecondMessage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory)
        try await NotificationsHarness.with(delivery: Self.settings(smtp: nil, http: http, certificate: nil)) { harness in
            let lea = try await harness.customer(device: "ios-l")
            try await harness.reach(lea, phone: "+33 6 12 34 56 78", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(lea)
            try await harness.notification(lea, rule: "order-ready", becomes: [.sent])
            let before = try http.received().count
            #expect(before == 2, "order placed and order ready")
            try await harness.replayEverything()
            try await harness.caughtUp()
            // A later message, delivered after anything the replay could have queued, marks the end.
            let marker = try await harness.customer(device: "ios-marker")
            try await harness.reach(marker, phone: "+33 6 98 76 54 32", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(marker)
            try await harness.notification(marker, rule: "order-ready", becomes: [.sent])
            let leasAfter = try http.received().filter { ($0["body"] as? String)?.contains(lea) == true }
            #expect(leasAfter.count == before)
            try await http.stop()
        }
    }

    @Test("the customer view folds the delivery log: the same from every interleaving, across a merge, matching the log query")
    func customerViewShowsTheLog() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let http = try await Sink.http(in: directory, statuses: [503, 200])
        try await NotificationsHarness.with(delivery: Self.settings(smtp: nil, http: http, certificate: nil)) { harness in
            let app = try await harness.customer(device: "ios-v")
            try await harness.orderReadyForPickup(app)
            let web = try await harness.customer(device: "web-v")
            try await harness.reach(web, phone: "+39 333 321 4321", preferred: .sms)
            try await harness.caughtUp()
            try await harness.orderReadyForPickup(web)
            let _ = try await harness.identity.commands.call(MergeCustomers(survivorId: web, mergedId: app), channel: "backoffice")
            try await harness.caughtUp()
            try await eventually("all four sent, the SMS after a 503 each") {
                try await harness.log(web).filter { $0.status == .sent }.count == 4
            }
            let log = try await harness.log(web)

            let folded = try Interleavings.views(
                of: app, from: [try harness.identity.service.loggedEnvelopes(), try harness.service.loggedEnvelopes()])
            #expect(folded.allSatisfy { $0.skipped == 0 })
            let view = try #require(folded.first?.view)
            #expect(folded.allSatisfy { $0.view == view }, "every interleaving folds to the same customer")
            #expect(view.customerId == web)
            #expect(view.notifications.map(\.notificationId) == log.map(\.notificationId), "newest first, as the log query lists them")
            #expect(view.notifications.map(\.status) == log.map(\.status))
            #expect(view.notifications.map(\.channel) == log.map(\.channel))
            try await http.stop()
        }
    }
}
