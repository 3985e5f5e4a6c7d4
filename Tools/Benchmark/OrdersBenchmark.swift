import ArgumentParser
import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OrdersService

/// `omnibus-bench orders`: cart commands and checkout against a real orders service (its
/// SQLite file, `synchronous=FULL`) over loopback DEALER→ROUTER.
struct OrdersBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Measure orders.cart.add, orders.cart.get and orders.checkout: commands/s and p50/p99 latency.",
        discussion: """
            Phases: one client adding to carts (latency without load); --clients clients adding two lines to \
            each of their carts; the same clients reading carts; one client checking out (click & collect); \
            --clients clients checking out their carts at once. Every add and checkout writes events and a stored \
            reply; a checkout also reserves stock and stores its steps.
            """)

    @Option(help: "Concurrent clients in the loaded phases.")
    var clients = 16

    @Option(help: "Carts checked out in the loaded checkout phase (split over the clients); each gets two adds first.")
    var carts = 8_000

    @Option(help: "Requests in each single-client phase.")
    var singleRequests = 1_000

    @Option(help: "Requests kept in flight by the one async client of the pipelined phase.")
    var inFlight = 64

    @Option(help: "Cart adds in the pipelined phase.")
    var pipelinedRequests = 20_000

    func validate() throws {
        guard clients > 0, carts >= clients, singleRequests > 0 else {
            throw ValidationError("--clients must be positive and --carts at least --clients")
        }
        guard inFlight > 0, pipelinedRequests > 0 else {
            throw ValidationError("--in-flight and --pipelined-requests must be positive")
        }
    }

    func run() async throws {
        let bench = try await BenchedService.start(OrdersService.name) { configuration, context, logger in
            try OrdersService.makeRuntime(configuration: configuration, options: OrdersService.Options(seed: Self.seed), context: context, logger: logger)
        }
        defer { bench.removeFiles() }
        let context = bench.context
        let endpoint = bench.endpoint
        print("omnibus-bench orders: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(clients) clients")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: bench.directory).text)

        let soloAdds = try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1, requestsPerClient: singleRequests) {
            Self.add(customer: "cus_solo-\($0)-\($1)", sku: Self.skus[$1 % Self.skus.count])
        }
        report("cart add, 1 client", soloAdds)
        let perClient = carts / clients
        let adds = try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients, requestsPerClient: 2 * perClient) {
            Self.add(customer: "cus_load-\($0)-\($1 / 2)", sku: Self.skus[$1 % Self.skus.count])
        }
        report("cart add, \(clients) clients", adds)
        let (pipelined, serviceCPU) = try await Self.measuringServiceCPU {
            try await CommandLoad.pipelined(endpoint: endpoint, context: context, inFlight: inFlight, requests: pipelinedRequests) {
                Self.add(customer: "cus_pipe-\($0 / 2)", sku: Self.skus[$0 % Self.skus.count])
            }
        }
        report("cart add, 1 client, \(inFlight) in flight", pipelined)
        let perAdd = { (seconds: Double) in seconds / Double(pipelinedRequests) * 1e6 }
        report("  service CPU per cart add", String(format: "%.0f µs (its threads, user and kernel), %.0f µs of it the writer's",
                                                   perAdd(serviceCPU.service), perAdd(serviceCPU.writer)))
        report("  client CPU per cart add", String(format: "%.0f µs (the client and libzmq's I/O threads, on the same 2 cores)",
                                                  perAdd(serviceCPU.process - serviceCPU.service)))
        let reads = try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients, requestsPerClient: 2 * perClient) {
            CommandRequest(id: RequestId.random(), command: GetCart.name, channel: "web",
                           data: GetCart(customerId: "cus_load-\($0)-\($1 / 2)"))
        }
        report("cart get, \(clients) clients", reads)
        let soloCheckouts = try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1, requestsPerClient: singleRequests) {
            Self.checkout(customer: "cus_solo-\($0)-\($1)")
        }
        report("checkout, 1 client", soloCheckouts)
        let checkouts = try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients, requestsPerClient: perClient) {
            Self.checkout(customer: "cus_load-\($0)-\($1)")
        }
        report("checkout, \(clients) clients", checkouts)
        try await bench.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    /// Runs `phase` and returns its result with the CPU the service's threads (named
    /// `orders-…`: commands, the writer with its SQLite work, relay, replay) used meanwhile,
    /// the writer's alone (one thread applies every command, so its CPU per command bounds
    /// the rate), and the whole process's (the client's too: both share the machine).
    static func measuringServiceCPU<Result>(
        _ phase: () async throws -> Result
    ) async throws -> (Result, (service: Double, writer: Double, process: Double)) {
        let reading = {
            // The whole process's from getrusage: it counts threads that ended meanwhile (the client's).
            let process = ProcessCPU.now()
            return (ThreadCPU.seconds(namePrefix: "orders-"), ThreadCPU.seconds(namePrefix: "orders-writer"), process.user + process.system)
        }
        let before = reading()
        let result = try await phase()
        let after = reading()
        return (result, (after.0 - before.0, after.1 - before.1, after.2 - before.2))
    }

    static let skus = ["bench-a", "bench-b", "bench-c", "bench-d"]

    /// Four SKUs with plenty of stock at one store.
    static let seed = CatalogSeed(
        products: [Product(productId: "bench", name: "Benchmark item", variants: skus.map {
            Variant(sku: $0, attributes: ["variant": $0], price: Money(amountMinor: 1000, currency: "EUR"))
        })],
        stores: [Store(storeId: "bench-store", name: "Benchmark store", shipsOnline: true)],
        stock: skus.map { CatalogSeed.Stock(storeId: "bench-store", sku: $0, onHand: 1_000_000) })

    static func add(customer: String, sku: String) -> CommandRequest<AddToCart> {
        CommandRequest(id: RequestId.random(), command: AddToCart.name, channel: "app",
                       data: AddToCart(customerId: customer, sku: sku, quantity: 1))
    }

    static func checkout(customer: String) -> CommandRequest<Checkout> {
        CommandRequest(id: RequestId.random(), command: Checkout.name, channel: "web",
                       data: Checkout(customerId: customer, fulfilment: .pickup(at: "bench-store")))
    }
}
