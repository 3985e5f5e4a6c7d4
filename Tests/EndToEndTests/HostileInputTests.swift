import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// What a hostile client sends cannot forge a log line, make a reply or a log line huge, or
/// smuggle oversized fields into events: identity as a process, its log read back.
@Suite("Hostile input: one log line per record, bounded echoes, bounded fields", .serialized, .timeLimit(.minutes(3)))
struct HostileInputTests {
    /// How every record of a service's log starts: time, level, label (swift-log's stream format).
    static var recordStart: Regex<(Substring, Substring)> { #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (trace|debug|info|notice|warning|error|critical) [\w.-]+ ?:/# }

    @Test func noInputMakesALogLineThatIsNotTheServicesOwn() async throws {
        try await ServiceProcesses.with(["identity"], start: true) { processes in
            let identity = processes.sender("identity")
            _ = try await identity.health()
            let forged = "\n2026-12-01T00:00:00+0000 critical omnibus.identity : forged\u{1B}[2J\r\u{2028}"
            let replies = [
                try await identity.sendRaw("identity.nope" + forged, .object([:]), channel: nil),
                try await identity.sendRaw(ResolveIdentifier.name, .object(["identifier": .object(["kind": .string(forged), "value": .string(forged)])])),
                try await identity.sendRaw(ResolveIdentifier.name, .object([:]), channel: "app" + forged),
                try await identity.sendRaw(ResolveIdentifier.name, .object([forged: .string(forged)]), id: "id" + forged),
                try await identity.sendRaw(String(repeating: "x", count: 512 << 10) + forged, .object([:]), channel: nil),
            ]
            for reply in replies {
                let error = try #require(reply.error)
                #expect(error.message.utf8.count < 2_000, "the reply quotes a short prefix: \(error.message.prefix(200))")
                #expect(!error.message.contains("\n") && !error.message.contains("\u{1B}"), "\(error.message.prefix(300))")
            }
            // A request that is not JSON at all, with a forged line in it.
            let notJSON = try await Self.exchange(Data(("{" + forged).utf8), with: processes.configuration.services["identity"]!.commands,
                                                  context: processes.context)
            #expect(notJSON.error?.code == .invalidRequest)

            let log = try processes.log(of: "identity")
            #expect(log.contains(#"\n2026-12-01T00:00:00+0000 critical"#), "the forged line reached the log, escaped, within its record")
            for line in log.split(separator: "\n", omittingEmptySubsequences: true) {
                #expect(line.firstMatch(of: Self.recordStart) != nil, "a line that is not the service's own: \(line.prefix(200))")
                #expect(line.utf8.count < 4_096, "a log line of \(line.utf8.count) bytes")
                #expect(!line.contains("\u{1B}"))
            }
        }
    }

    @Test func headerFieldsCopiedIntoEveryEventAreHeldToASmallSize() async throws {
        try await ServiceProcesses.with(["identity"], start: true) { processes in
            let identity = processes.sender("identity")
            let resolve = ResolveIdentifier(identifier: IdentifierInput(.email, "big@example.com"), createIfUnknown: true)
            let long = String(repeating: "c", count: 200_000)
            #expect(try await identity.send(resolve, channel: long).error?.code == .invalidRequest)
            let reply = try await CommandClient.withClient(endpoint: processes.configuration.services["identity"]!.commands,
                                                           context: processes.context) { client in
                try await client.reply(to: resolve, channel: "app", correlationId: long, timeout: .seconds(30))
            }
            #expect(reply.error?.code == .invalidRequest)
            let actingFor = try await CommandClient.send(
                CommandRequest(id: UUID().uuidString, command: ResolveIdentifier.name, channel: "app", actingFor: long, data: resolve),
                to: processes.configuration.services["identity"]!.commands, context: processes.context, timeout: .seconds(30),
                expecting: ResolvedCustomer.self)
            #expect(actingFor.error?.code == .invalidRequest && actingFor.error?.message.contains("actingFor") == true, "\(actingFor)")
            #expect(try await identity.health().head == 0, "nothing was applied")
        }
    }

    /// Sends one raw frame to a command endpoint and reads the reply, as a client without
    /// the contract's types would.
    static func exchange(_ frame: Data, with endpoint: String, context: ZMQContext) async throws -> CommandReply<JSONValue> {
        let reply = try await blocking { () -> Data? in
            let dealer = try ZMQSocket(context: context, type: .dealer, lingerMilliseconds: 0)
            try dealer.connect(endpoint)
            try dealer.send([frame])
            guard try dealer.waitForInput(timeoutMilliseconds: 30_000) else { return nil }
            return try dealer.receive()?.last
        }
        return try ContractCoding.decode(CommandReply<JSONValue>.self, from: try #require(reply))
    }
}
