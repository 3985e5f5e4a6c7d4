import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Synchronization
import Testing

/// Services as separate processes on free loopback ports, with data in a temporary folder:
/// started, stopped, killed and restarted one by one, each with the shipped seeds.
final class ServiceProcesses: Sendable {
    let directory: TemporaryDirectory
    let configPath: String
    let configuration: SuiteConfiguration
    let context: ZMQContext
    private let running = Mutex<[String: ChildProcess]>([:])

    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    /// A configuration naming `services`; none is started yet. `secured`: CURVE keys for
    /// every principal in `<folder>/keys` and the shipped bus policy, and ``context`` is ops's.
    init(_ services: [String], secured: Bool = false) throws {
        directory = try TemporaryDirectory()
        let security = secured ? try Self.makeKeys(in: directory, services: services) : nil
        (configPath, configuration) = try OpsToolTests.writeConfig(in: directory, services: services, security: security)
        context = try configuration.busContext(as: "ops")
    }

    /// A key folder for `services` and every other principal of the shipped policy.
    private static func makeKeys(in directory: TemporaryDirectory, services: [String]) throws -> SecuritySettings {
        let principals = try BusPolicy.load(path: deploy.appendingPathComponent("security/policy.json").path).principals.keys
        let keys = directory.file("keys")
        _ = try KeyFolder.create(at: keys, principals: Array(Set(principals).union(services))) {
            let pair = try CurveKeyPair.generate()
            return (pair.publicKey, pair.secretKey)
        }
        return SecuritySettings(keys: keys, policy: deploy.appendingPathComponent("security/policy.json").path)
    }

    /// Commands to `service` from `principal`'s own context (its key when CURVE is on).
    func sender(_ service: String, as principal: String) throws -> CommandSender {
        CommandSender(endpoint: configuration.services[service]!.commands, context: try configuration.busContext(as: principal),
                      timeoutMilliseconds: 30_000)
    }

    /// Starts `service`, armed to SIGKILL itself at the fault point `fault` if given, with
    /// `environment` added to the test's. A second copy of a service runs as another
    /// `instance` (the name ``stop(_:)`` and ``log(of:)`` then take) with its own `config`
    /// and `data` folder.
    func start(_ service: String, instance: String? = nil, config: String? = nil, data: String? = nil, fault: String? = nil,
               arguments: [String] = [], environment: [String: String] = [:]) throws {
        var all = ["--config", config ?? configPath, "--data", data ?? directory.file("data")] + arguments
        switch service {
        case "orders": all += ["--catalog", Self.deploy.appendingPathComponent("catalog.json").path]
        case "coupons": all += ["--campaigns", Self.deploy.appendingPathComponent("campaigns.json").path]
        case "notifications": all += ["--rules", Self.deploy.appendingPathComponent("notifications").path]
        default: break
        }
        let process = try ChildProcess(product: "omnibus-\(service)", arguments: all,
                                       environment: environment.merging(fault.map { ["OMNIBUS_FAULT_KILL": $0] } ?? [:]) { $1 },
                                       logPath: directory.file("\(instance ?? service)-\(UUID().uuidString.prefix(6)).log"))
        running.withLock { $0[instance ?? service] = process }
    }

    /// The process id of `service`'s running process.
    func pid(of service: String) throws -> Int32 {
        try #require(running.withLock { $0[service] }).pid
    }

    /// What `service`'s running process has logged so far.
    func log(of service: String) throws -> String {
        try #require(running.withLock { $0[service] }).log
    }

    /// Stops `service` with SIGTERM and expects a clean exit.
    func stop(_ service: String) async throws {
        let process = try #require(running.withLock { $0.removeValue(forKey: service) })
        process.send(SIGTERM)
        #expect(try await process.waitForExit() == .exited(0), "\(process.log)")
    }

    func kill(_ service: String) async throws {
        let process = try #require(running.withLock { $0[service] })
        process.send(SIGKILL)
        _ = try await process.waitForExit()
    }

    /// Waits for `service` to have died of SIGKILL (its fault point was reached).
    func waitUntilKilled(_ service: String) async throws {
        let process = try #require(running.withLock { $0[service] })
        #expect(try await process.waitForExit(timeout: .seconds(60)) == .signalled(SIGKILL), "\(process.log)")
    }

    /// Commands to `service`; long timeouts, as a process may still be starting.
    func sender(_ service: String, timeoutMilliseconds: Int = 30_000) -> CommandSender {
        CommandSender(endpoint: configuration.services[service]!.commands, context: context, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Stops whatever still runs and removes the folder.
    func stopAll() async throws {
        for process in running.withLock({ Array($0.values) }) where process.isRunning {
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == .exited(0), "\(process.log)")
        }
        directory.remove()
    }

    /// Runs `body` with `services` configured (and started when `start`), and stops them however it ends.
    static func with(
        _ services: [String], start: Bool = false, secured: Bool = false, _ body: (ServiceProcesses) async throws -> Void
    ) async throws {
        try await scoped(try ServiceProcesses(services, secured: secured), stop: { try await $0.stopAll() }) { processes in
            if start { for service in services { try processes.start(service) } }
            try await body(processes)
        }
    }
}
