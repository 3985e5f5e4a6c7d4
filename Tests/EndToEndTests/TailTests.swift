import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// `omnibus tail` against a real identity process, checked the way an operator would read it.
@Suite("omnibus tail", .serialized)
struct TailTests {
    /// An identity service process on free ports, with `customers` resolved (2 events each).
    final class Bus: Sendable {
        let directory: TemporaryDirectory
        let configPath: String
        let commands: String
        let identity: ChildProcess
        let context: ZMQContext

        init() async throws {
            directory = try TemporaryDirectory()
            let (path, configuration) = try OpsToolTests.writeConfig(in: directory)
            configPath = path
            commands = configuration.services["identity"]!.commands
            context = try ZMQContext()
            identity = try ChildProcess(product: "omnibus-identity", arguments: ["--config", path, "--data", directory.file("data")],
                                        logPath: directory.file("identity.log"))
        }

        /// Resolves new e-mails `prefix0@…` to `prefix(n-1)@…`, each creating a customer; returns their ids.
        @discardableResult
        func createCustomers(_ count: Int, prefix: String) async throws -> [String] {
            let (context, commands) = (self.context, self.commands)
            return try await blocking {
                let client = try BlockingCommandClient(context: context, endpoint: commands, timeoutMilliseconds: 10_000)
                return try (0..<count).map { index in
                    let request = CommandRequest(id: UUID().uuidString, command: ResolveIdentifier.name, channel: "web",
                                                 data: ResolveIdentifier(identifier: IdentifierInput(.email, "\(prefix)\(index)@tail.example")))
                    return try client.send(request, expecting: ResolvedCustomer.self).get().customerId
                }
            }
        }

        func tail(_ arguments: [String]) async throws -> (exit: ChildProcess.Exit, lines: [String], log: String) {
            let output = directory.file("tail-\(UUID().uuidString.prefix(6)).out")
            let process = try ChildProcess(product: "omnibus", arguments: ["tail", "--config", configPath] + arguments, logPath: output)
            let exit = try await process.waitForExit(timeout: .seconds(60))
            let lines = process.log.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
            return (exit, lines, process.log)
        }

        func stop() async throws {
            identity.send(SIGTERM)
            _ = try await identity.waitForExit()
            directory.remove()
        }
    }

    static func envelopes(_ lines: [String]) throws -> [EventEnvelope<JSONValue>] {
        try lines.map { try ContractCoding.decode(EventEnvelope<JSONValue>.self, from: Data($0.utf8)) }
    }

    @Test("--json --from-start --until-end prints every event once, in sequence order, as envelope JSON lines")
    func fromStartUntilEnd() async throws {
        let bus = try await Bus()
        try await bus.createCustomers(60, prefix: "all")
        let result = try await bus.tail(["--json", "--from-start", "--until-end"])
        #expect(result.exit == .exited(0), "\(result.log)")
        let events = try Self.envelopes(result.lines)
        #expect(events.map(\.sequence) == Array(1...120))
        #expect(Set(events.map(\.id)).count == 120)
        #expect(events.allSatisfy { $0.source == "identity" && $0.schemaVersion == 1 && $0.customerId != nil && $0.channel == "web" })
        #expect(Set(events.map(\.type)) == [IdentityEvent.CustomerCreated.type, IdentityEvent.IdentifierLinked.type])
        try await bus.stop()
    }

    @Test("filters select exactly the matching events")
    func filters() async throws {
        let bus = try await Bus()
        let customers = try await bus.createCustomers(30, prefix: "filter")
        let byType = try Self.envelopes(try await bus.tail(["--json", "--from-start", "--until-end", "--type", IdentityEvent.CustomerCreated.type]).lines)
        #expect(byType.count == 30 && byType.allSatisfy { $0.type == IdentityEvent.CustomerCreated.type })

        let byCustomer = try Self.envelopes(try await bus.tail(["--json", "--from-start", "--until-end", "--customer", customers[7]]).lines)
        #expect(byCustomer.map(\.type) == [IdentityEvent.CustomerCreated.type, IdentityEvent.IdentifierLinked.type])
        #expect(byCustomer.allSatisfy { $0.customerId == customers[7] })

        let byTopic = try Self.envelopes(try await bus.tail(["--json", "--from-start", "--until-end", "--topic", "identity.customer.identifier"]).lines)
        #expect(byTopic.count == 30 && byTopic.allSatisfy { $0.type == IdentityEvent.IdentifierLinked.type })

        let fromSequence = try Self.envelopes(try await bus.tail(["--json", "--from", "identity:51", "--until-end"]).lines)
        #expect(fromSequence.map(\.sequence) == Array(51...60))

        let counted = try Self.envelopes(try await bus.tail(["--json", "--from-start", "--count", "5"]).lines)
        #expect(counted.map(\.sequence) == Array(1...5))
        try await bus.stop()
    }

    @Test("tail started while events flow misses none: replay, then live, no duplicate at the seam")
    func whileEventsFlow() async throws {
        let bus = try await Bus()
        try await bus.createCustomers(50, prefix: "before")
        async let writer: [String] = bus.createCustomers(150, prefix: "during")
        let result = try await bus.tail(["--json", "--from-start", "--count", "400"])
        _ = try await writer
        #expect(result.exit == .exited(0), "\(result.log)")
        #expect(try Self.envelopes(result.lines).map(\.sequence) == Array(1...400))
        try await bus.stop()
    }

    @Test("a malformed --from or an unknown service is a usage error", arguments: [
        ["--from", "identity"], ["--from", "identity:zero"], ["--from", "identity:0"], ["--source", "billing"], ["--count", "0"],
    ])
    func badArguments(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, _) = try OpsToolTests.writeConfig(in: directory)
        let result = try await OpsToolTests.omnibus(["tail", "--config", path] + arguments, in: directory)
        #expect(result.exit == .exited(64), "\(result.output)")
        #expect(result.output.contains("Error:"))
    }
}
