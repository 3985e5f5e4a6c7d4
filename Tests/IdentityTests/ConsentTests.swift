import Foundation
import OmnibusContracts
import Testing

@Suite("Identity: consent and preferences")
struct ConsentTests {
    @Test("marketing is off and service messages on until the customer says otherwise")
    func defaults() async throws {
        try await IdentityHarness.with { identity in
            let customer = try await identity.resolve(.email, "new@example.com").customerId
            let profile = try await identity.profile(customer)
            for channel in ContactChannel.allCases {
                #expect(!profile.allows(.marketing, on: channel))
                #expect(profile.allows(.service, on: channel))
            }
            #expect(profile.consents.count == ConsentPurpose.allCases.count * ContactChannel.allCases.count)
            #expect(profile.consents.allSatisfy { $0.changedAt == nil && $0.source == nil })
        }
    }

    @Test("each change is kept with its time and source and announced; repeating it changes nothing")
    func changesRecorded() async throws {
        try await IdentityHarness.with { identity in
            let customer = try await identity.resolve(.email, "opt@example.com").customerId
            let before = Timestamp.now()
            let _ = try await identity.call(SetConsent(customerId: customer, purpose: .marketing, channel: .email, granted: true),
                channel: "web")
            let _ = try await identity.call(SetConsent(customerId: customer, purpose: .service, channel: .sms, granted: false, source: "call-center:agent-17"),
                channel: "call_center")
            let _ = try await identity.call(SetConsent(customerId: customer, purpose: .marketing, channel: .email, granted: true),
                channel: "app")

            let profile = try await identity.profile(customer)
            let marketing = try #require(profile.consents.first { $0.purpose == .marketing && $0.channel == .email })
            #expect(marketing.granted && marketing.source == "web")
            #expect(try #require(marketing.changedAt) >= before)
            #expect(!profile.allows(.service, on: .sms))
            #expect(profile.consents.first { $0.purpose == .service && $0.channel == .sms }?.source == "call-center:agent-17")
            // Free text would be personal data in the consent log: a source is a name.
            let typed = try await identity.send(SetConsent(customerId: customer, purpose: .marketing, channel: .sms, granted: true,
                                                           source: "my wife Anna said yes"), channel: "call_center")
            #expect(typed.error?.code == .invalidArgument)

            let events = try identity.events(IdentityEvent.ConsentChanged.type, as: IdentityEvent.ConsentChanged.self)
            #expect(events.map { [$0.data.consent.purpose.rawValue, $0.data.consent.channel.rawValue, "\($0.data.consent.granted)"] }
                == [["marketing", "email", "true"], ["service", "sms", "false"]])
        }
    }

    @Test("preferred channel and quiet hours are stored, announced and validated")
    func preferences() async throws {
        try await IdentityHarness.with { identity in
            let customer = try await identity.resolve(.phone, "+447700900123").customerId
            let quiet = QuietHours(start: "22:00", end: "07:30", timeZone: "Europe/London")
            let _ = try await identity.call(SetPreferences(customerId: customer, preferredChannel: .sms, quietHours: quiet))
            let profile = try await identity.profile(customer)
            #expect(profile.preferredChannel == .sms)
            #expect(profile.quietHours == quiet)
            #expect(try identity.events(IdentityEvent.PreferencesChanged.type, as: IdentityEvent.PreferencesChanged.self).map(\.data)
                == [IdentityEvent.PreferencesChanged(customerId: customer, preferredChannel: .sms, quietHours: quiet)])

            for bad in [QuietHours(start: "25:00", end: "07:00", timeZone: "UTC"),
                        QuietHours(start: "22:00", end: "7", timeZone: "UTC"),
                        QuietHours(start: "22:00", end: "07:00", timeZone: "Mars/Olympus_Mons")] {
                let reply = try await identity.send(SetPreferences(customerId: customer, quietHours: bad))
                #expect(reply.error?.code == .invalidArgument, "\(bad)")
            }
            #expect(try await identity.profile(customer).quietHours == quiet)
        }
    }
}
