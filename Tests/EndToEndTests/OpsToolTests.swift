import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// `omnibus up` and `omnibus status` as an operator runs them: real processes, real ports.
@Suite("omnibus up and status", .serialized)
struct OpsToolTests {
    /// A config on free loopback ports, so tests never collide with a suite on the defaults.
    static func writeConfig(
        in directory: TemporaryDirectory, services: [String] = ["identity"], security: SecuritySettings? = nil
    ) throws -> (path: String, configuration: SuiteConfiguration) {
        var endpoints: [String: ServiceEndpoints] = [:]
        for service in services {
            endpoints[service] = ServiceEndpoints(
                events: "tcp://127.0.0.1:\(try freeLoopbackPort())", replay: "tcp://127.0.0.1:\(try freeLoopbackPort())",
                commands: "tcp://127.0.0.1:\(try freeLoopbackPort())")
        }
        let configuration = SuiteConfiguration(services: endpoints, security: security)
        let path = directory.file("omnibus.json")
        try JSONEncoder().encode(configuration).write(to: URL(fileURLWithPath: path))
        return (path, configuration)
    }

    /// Runs `omnibus` to completion and returns its exit and output.
    static func omnibus(_ arguments: [String], in directory: TemporaryDirectory) async throws -> (exit: ChildProcess.Exit, output: String) {
        let process = try ChildProcess(product: "omnibus", arguments: arguments, logPath: directory.file("omnibus-\(UUID().uuidString.prefix(6)).log"))
        let exit = try await process.waitForExit(timeout: .seconds(60))
        return (exit, process.log)
    }

    static func pids(of service: String, in log: String) -> [Int32] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "\(service) started (pid ") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    static func count(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

    @Test("up starts the suite, restarts services killed with SIGKILL (data intact, caught up), and SIGTERM leaves no process behind")
    func upLifecycle() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (configPath, configuration) = try Self.writeConfig(in: directory, services: ["identity", "orders"])
        let up = try ChildProcess(product: "omnibus", arguments: ["up", "--config", configPath, "--data", directory.file("data")],
                                  logPath: directory.file("up.log"))
        try await eventually("the suite is up:\n\(up.log)") { up.log.contains("suite up") }
        #expect(up.log.contains("WARNING: CURVE is off"), "plaintext is said loudly")
        let firstPid = try #require(Self.pids(of: "identity", in: up.log).first)
        #expect(FileManager.default.fileExists(atPath: directory.file("data/identity.sqlite")))
        #expect(FileManager.default.fileExists(atPath: directory.file("data/logs/identity.log")))

        let status = try await Self.omnibus(["status", "--config", configPath], in: directory)
        #expect(status.exit == .exited(0), "\(status.output)")
        #expect(status.output.contains("identity  up"))
        #expect(status.output.contains("orders    up"))

        let commands = configuration.services["identity"]!.commands
        let context = try ZMQContext()
        let before = try await Self.resolve("ops@example.com", endpoint: commands, context: context)

        kill(firstPid, SIGKILL)
        try await eventually("identity restarted:\n\(up.log)") { Self.pids(of: "identity", in: up.log).count == 2 }
        #expect(up.log.contains("identity killed by signal 9; restarting in 0.5 s"))
        let after = try await Self.resolve("ops@example.com", endpoint: commands, context: context)
        #expect(after == before, "the restarted service has the customer it created before")

        // Killed again once it answers: a service that started properly comes back as fast
        // as the first time, and status shows how often it started.
        try await eventually("identity answered after its restart:\n\(up.log)") { Self.count("identity is up", in: up.log) == 2 }
        kill(try #require(Self.pids(of: "identity", in: up.log).last), SIGKILL)
        try await eventually("identity restarted again:\n\(up.log)") { Self.count("identity is up", in: up.log) == 3 }
        #expect(Self.count("identity killed by signal 9; restarting in 0.5 s", in: up.log) == 2, "\(up.log)")
        let restarted = try await Self.omnibus(["status", "--config", configPath, "--json"], in: directory)
        let identityStatus = try #require(restarted.output.split(separator: "\n").first { $0.contains(#""service":"identity""#) })
        #expect(identityStatus.contains(#""startsPastHour":3"#), "\(restarted.output)")

        // Orders dies while identity goes on; it is restarted and catches up by replay.
        let ordersPid = try #require(Self.pids(of: "orders", in: up.log).first)
        kill(ordersPid, SIGKILL)
        var missed: Set<String> = []
        for index in 0..<5 { missed.insert(try await Self.resolve("missed\(index)@example.com", endpoint: commands, context: context)) }
        #expect(missed.count == 5)
        try await eventually("orders restarted:\n\(up.log)") { Self.pids(of: "orders", in: up.log).count == 2 }
        let identityHead = try await CommandSender(endpoint: commands, context: context).health().head
        let orders = CommandSender(endpoint: configuration.services["orders"]!.commands, context: context, timeoutMilliseconds: 10_000)
        try await eventually("the restarted orders caught up with identity through \(identityHead)") {
            try await orders.health().subscriptions["identity"]?.applied == identityHead
        }
        let pids = Self.pids(of: "identity", in: up.log) + Self.pids(of: "orders", in: up.log)

        up.send(SIGTERM)
        #expect(try await up.waitForExit() == .exited(0), "\(up.log)")
        #expect(up.log.contains("omnibus up: stopped"))
        #expect(pids.allSatisfy { !Self.isAlive($0) }, "no service process outlives omnibus up")

        let down = try await Self.omnibus(["status", "--config", configPath, "--timeout", "300"], in: directory)
        #expect(down.exit == .exited(1), "\(down.output)")
        #expect(down.output.contains("identity  DOWN"))
        #expect(down.output.contains("orders    DOWN"))
    }

    /// Resolves an e-mail; the long timeout covers the socket reconnecting after a restart.
    static func resolve(_ email: String, endpoint: String, context: ZMQContext) async throws -> String {
        try await blocking {
            let client = try BlockingCommandClient(context: context, endpoint: endpoint, timeoutMilliseconds: 10_000)
            let request = CommandRequest(id: UUID().uuidString, command: ResolveIdentifier.name,
                                         data: ResolveIdentifier(identifier: IdentifierInput(.email, email)))
            return try client.send(request, expecting: ResolvedCustomer.self).get().customerId
        }
    }

    @Test("keys makes the folder a secured suite runs on: ops sees it up, a store key may not erase, and nothing is overwritten")
    func securedSuite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (plainPath, plain) = try Self.writeConfig(in: directory, services: ["identity"])
        let keys = try await Self.omnibus(["keys", directory.file("keys"), "--config", plainPath], in: directory)
        #expect(keys.exit == .exited(0), "\(keys.output)")
        #expect(keys.output.contains("wrote 9 key pairs"), "identity and the eight standard principals: \(keys.output)")
        let again = try await Self.omnibus(["keys", directory.file("keys"), "--config", plainPath], in: directory)
        #expect(again.exit != .exited(0) && again.output.contains("keys are not replaced"), "\(again.output)")

        var secured = plain
        secured.security = SecuritySettings(keys: "keys", policy: ServiceProcesses.deploy.appendingPathComponent("security/policy.json").path)
        let path = directory.file("secured.json")
        try JSONEncoder().encode(secured).write(to: URL(fileURLWithPath: path))
        let up = try ChildProcess(product: "omnibus", arguments: ["up", "--config", path, "--data", directory.file("data")],
                                  logPath: directory.file("up.log"))
        try await eventually("the secured suite is up:\n\(up.log)") { up.log.contains("suite up") }
        #expect(!up.log.contains("CURVE is off"))

        let status = try await Self.omnibus(["status", "--config", path], in: directory)
        #expect(status.exit == .exited(0) && status.output.contains("identity  up"), "\(status.output)")
        let erase = try await Self.omnibus(
            ["send", "--config", path, "--as", "store", "identity", EraseCustomer.name, #"{"customerId": "c-1"}"#], in: directory)
        #expect(erase.exit == .exited(1) && erase.output.contains(#""code" : "forbidden""#), "\(erase.output)")
        let plaintext = try await Self.omnibus(["status", "--config", plainPath, "--timeout", "1000"], in: directory)
        #expect(plaintext.exit != .exited(0), "a client without CURVE gets no answer: \(plaintext.output)")

        up.send(SIGTERM)
        #expect(try await up.waitForExit() == .exited(0), "\(up.log)")
    }

    @Test("status --json reports a stopped service as down, with a non-zero exit")
    func statusJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (configPath, _) = try Self.writeConfig(in: directory)
        let result = try await Self.omnibus(["status", "--config", configPath, "--json", "--timeout", "200"], in: directory)
        #expect(result.exit == .exited(1))
        let line = try #require(result.output.split(separator: "\n").first)
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        guard case .object(let fields) = object else { Issue.record("not an object: \(line)"); return }
        #expect(fields["service"] == .string("identity"))
        #expect(fields["up"] == .bool(false))
    }

    @Test("send to a service that does not answer exits 1 and names the request id to retry with")
    func sendWithoutReply() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (configPath, _) = try Self.writeConfig(in: directory)
        let result = try await Self.omnibus(
            ["send", "--config", configPath, "identity", ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"d-1"}}"#,
             "--id", "req-42", "--timeout", "200"], in: directory)
        #expect(result.exit == .exited(1), "\(result.output)")
        #expect(result.output.contains("unavailable") && result.output.contains("--id req-42"), "\(result.output)")
    }

    @Test("bad arguments get a usage error", arguments: [
        ["frobnicate"], ["up", "--stop-timeout", "0"], ["status", "--timeout", "-5"], ["status", "--config", "/nonexistent/omnibus.json"],
        ["send", "orders", GetCart.name, "{not json"], ["send", "orders", GetCart.name, "[1, 2]"], ["send", "billing", "billing.pay"], ["customer", "not-a-customer-id"], ["customer", "cus_1", "--timeout", "0"],
    ])
    func usageErrors(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await Self.omnibus(arguments, in: directory)
        #expect(result.exit == .exited(64), "\(result.output)")
        #expect(result.output.contains("Error:"))
    }
}
