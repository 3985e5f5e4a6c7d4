import ArgumentParser
import CouponsService
import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService

/// `omnibus-bench coupons`: validation (a query) and redemption (a commit) against a real
/// coupons service (its SQLite file, `synchronous=FULL`) over loopback DEALER→ROUTER.
struct CouponsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupons",
        abstract: "Measure coupons.coupon.validate and coupons.coupon.redeem: commands/s, p50/p99 latency, peak RSS.",
        discussion: """
            Each command is measured with one client waiting for each reply, with --clients such clients, and \
            with one async client keeping --in-flight requests outstanding. Validation checks a personal code \
            against a three-line basket (owner, earlier use, campaign rules, the customer's limit and the \
            budget). Each redemption uses a shared code with a budget and a per-customer limit, for a new \
            customer, so every one commits: a redemption row, the campaign's count, an event and a stored reply.
            """)

    @Option(help: "Concurrent clients in the loaded phases.")
    var clients = 16

    @Option(help: "Requests in each phase.")
    var requests = 20_000

    @Option(help: "Requests kept in flight by the one async client of the pipelined phases.")
    var inFlight = 64

    func validate() throws {
        guard clients > 0, requests >= clients, inFlight > 0 else {
            throw ValidationError("--clients and --in-flight must be positive and --requests at least --clients")
        }
    }

    func run() async throws {
        let bench = try await BenchedService.start(CouponsService.name) { configuration, context, logger in
            try CouponsService.makeRuntime(configuration: configuration, options: CouponsService.Options(seed: Self.seed), context: context, logger: logger)
        }
        defer { bench.removeFiles() }
        let context = bench.context
        let endpoint = bench.endpoint
        print("omnibus-bench coupons: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(clients) clients, \(inFlight) in flight")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: bench.directory).text)

        let code = try await CommandClient.withClient(endpoint: endpoint, context: context, channel: "email") { client in
            try await client.send(IssueCoupon(customerId: Self.holder, campaignId: "bench-personal")).code
        }
        let validate: @Sendable (Int) -> CommandRequest<ValidateCoupon> = { _ in
            CommandRequest(id: RequestId.random(), command: ValidateCoupon.name, channel: "web",
                           data: ValidateCoupon(code: code, customerId: Self.holder, basket: Self.basket))
        }
        report("validate, 1 client", try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1,
                                                                 requestsPerClient: requests / 4) { validate($1) })
        report("validate, \(clients) clients", try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients,
                                                                           requestsPerClient: requests / clients) { validate($1) })
        report("validate, 1 client, \(inFlight) in flight", try await CommandLoad.pipelined(
            endpoint: endpoint, context: context, inFlight: inFlight, requests: requests, request: validate))

        let redeem: @Sendable (String) -> CommandRequest<RedeemCoupon> = { customer in
            CommandRequest(id: RequestId.random(), command: RedeemCoupon.name, channel: "store",
                           data: RedeemCoupon(code: "BENCHALL", customerId: customer, basket: Self.basket))
        }
        report("redeem, 1 client", try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1,
                                                               requestsPerClient: requests / 4) { redeem("cus_solo-\($1)") })
        report("redeem, \(clients) clients", try await CommandLoad.run(endpoint: endpoint, context: context, clients: clients,
                                                                         requestsPerClient: requests / clients) { redeem("cus_load-\($0)-\($1)") })
        report("redeem, 1 client, \(inFlight) in flight", try await CommandLoad.pipelined(
            endpoint: endpoint, context: context, inFlight: inFlight, requests: requests) { redeem("cus_pipe-\($0)") })
        try await bench.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    static let holder = "cus_bench-holder"

    static let basket = Basket(lines: [
        BasketLine(sku: "bench-a", productId: "bench", quantity: 2, unitPrice: Money(amountMinor: 1_999, currency: "EUR")),
        BasketLine(sku: "bench-b", productId: "bench", quantity: 1, unitPrice: Money(amountMinor: 4_999, currency: "EUR")),
        BasketLine(sku: "bench-c", productId: "other", quantity: 1, unitPrice: Money(amountMinor: 999, currency: "EUR")),
    ])

    /// A personal-code campaign to validate against, and a shared code that never runs out.
    static let seed = CampaignSeed(campaigns: [
        Campaign(campaignId: "bench-personal", name: "Benchmark personal", discount: Discount(percent: 10),
                 minimumBasket: [Money(amountMinor: 2_000, currency: "EUR")], channels: ["web", "store"], productIds: ["bench"],
                 budget: 1_000_000_000, perCustomerLimit: 3),
        Campaign(campaignId: "bench-shared", name: "Benchmark shared", discount: Discount(amounts: [Money(amountMinor: 500, currency: "EUR")]),
                 budget: 1_000_000_000, perCustomerLimit: 1, sharedCode: "BENCHALL"),
    ])
}
