import ArgumentParser
import Foundation
import IdentityService
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// `omnibus-bench identity`: resolve commands per second and their latency, against a real
/// identity service (its SQLite file, `synchronous=FULL`) over loopback DEALER→ROUTER.
struct IdentityBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Measure identity.resolve: commands/s and p50/p99 latency.",
        discussion: """
            Three phases: one client resolving new e-mails (latency without load); --clients clients \
            resolving new e-mails at once (each creates a customer: two events and a profile); the same \
            clients resolving those e-mails again (lookups; the reply is still stored for idempotency).
            """)

    @Option(help: "Concurrent clients in the loaded phases.")
    var clients = 16

    @Option(help: "Requests in each loaded phase (split over the clients).")
    var requests = 32_000

    @Option(help: "Requests in the single-client phase.")
    var singleRequests = 2_000

    func validate() throws {
        guard clients > 0, requests >= clients, singleRequests > 0 else {
            throw ValidationError("--clients must be positive and --requests at least --clients")
        }
    }

    func run() async throws {
        let bench = try await BenchedService.start(IdentityService.name) { configuration, context, logger in
            try IdentityService.makeRuntime(configuration: configuration, context: context, logger: logger)
        }
        defer { bench.removeFiles() }
        let context = bench.context
        let endpoint = bench.endpoint
        print("omnibus-bench identity: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(clients) clients")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: bench.directory).text)

        let single = try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1, requestsPerClient: singleRequests) {
            Self.resolve(email: "solo\($0)-\($1)@bench.example")
        }
        report("resolve new, 1 client", single)
        let perClient = requests / clients
        let created = try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients, requestsPerClient: perClient) {
            Self.resolve(email: "shopper\($0)-\($1)@bench.example")
        }
        report("resolve new, \(clients) clients", created)
        let known = try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients, requestsPerClient: perClient) {
            Self.resolve(email: "shopper\($0)-\($1)@bench.example")
        }
        report("resolve known, \(clients) clients", known)
        try await bench.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    static func resolve(email: String) -> CommandRequest<ResolveIdentifier> {
        CommandRequest(id: RequestId.random(), command: ResolveIdentifier.name, channel: "web",
                       data: ResolveIdentifier(identifier: IdentifierInput(.email, email)))
    }
}
