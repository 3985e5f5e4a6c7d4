import Foundation
import IdentityService
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// A sixth service built the way docs/ADDING_A_SERVICE.md says, run beside a real identity
/// service over real sockets: if the guide's shape stops working, this stops compiling or
/// passing.
@Suite("Adding a service as the guide says", .timeLimit(.minutes(1)))
struct AddingAServiceTests {
    @Test func theGuidesServiceTakesItsCommandsAndReactsToIdentity() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        var logger = Logger(label: "test.greetings")
        logger.logLevel = .critical
        let identityRuntime = try IdentityService.makeRuntime(
            configuration: .init(name: IdentityService.name, databasePath: directory.file("identity.sqlite"), endpoints: .ephemeral),
            context: context, logger: logger)
        try await scoped(try await RunningRuntime.start(identityRuntime, logger: logger), stop: { try await $0.stop() }) { identity in
            var configuration = ServiceRuntime.Configuration(
                name: GreetingsService.name, databasePath: directory.file("greetings.sqlite"), endpoints: .ephemeral)
            configuration.sources = [identity.asSource]
            let greetingsRuntime = try GreetingsService.makeRuntime(configuration: configuration, context: context, logger: logger)
            try await scoped(try await RunningRuntime.start(greetingsRuntime, logger: logger), stop: { try await $0.stop() }) { greetings in
                try await Self.exercise(identity: identity, greetings: greetings, context: context)
            }
        }
    }

    /// The guide's service at work: it reacts to identity, takes its commands, logs its events.
    static func exercise(identity: RunningRuntime, greetings: RunningRuntime, context: ZMQContext) async throws {
        #expect(GreetingsService.commands().commandNames == GreetingsCommand.all.map { $0.name }.sorted())
        try await CommandClient.withClient(endpoint: identity.endpoints.commands, context: context, channel: "app") { identityClient in
            try await CommandClient.withClient(endpoint: greetings.endpoints.commands, context: context, channel: "app") { client in
                let customer = try await identityClient.send(ResolveIdentifier(identifier: IdentifierInput(.device, "tiny-1"))).customerId
                try await eventually("greetings applied identity's event") {
                    (try? await client.send(GetGreeting(customerId: customer)))?.times == 1
                }
                #expect(try await client.send(ResendGreeting(customerId: customer), id: "resend-1").times == 2)
                #expect(try await client.send(ResendGreeting(customerId: customer), id: "resend-1").times == 2, "a retry applies nothing")
                let unknown = await #expect(throws: OmnibusError.self) { try await client.send(GetGreeting(customerId: "cus_nobody")) }
                #expect(unknown?.code == .notFound)
            }
        }
        let sent = try greetings.loggedEvents(GreetingsEvent.GreetingSent.type, as: GreetingsEvent.GreetingSent.self)
        #expect(sent.map(\.data.times) == [1, 2])
        #expect(sent.allSatisfy { $0.source == "greetings" && $0.customerId == sent[0].data.customerId })
    }
}
