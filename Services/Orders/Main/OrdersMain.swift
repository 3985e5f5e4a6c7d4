import ArgumentParser
import OmnibusBus
import OmnibusService
import OrdersService

/// `omnibus-orders`: runs the orders service until SIGTERM or SIGINT.
@main
struct OrdersMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-orders",
        abstract: "Run the orders service: catalog, carts, checkout, click & collect, returns.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json), which also names the identity \
            service whose merges and erasures orders applies, and the coupons service a checkout reserves and \
            redeems coupons at (when configured); the database is <data>/orders.sqlite. On first start the \
            catalog is loaded from the seed file. Commands and events: docs/ORDERS.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    @Option(help: ArgumentHelp(
        "Catalog seed loaded into an empty catalog.",
        discussion: "Default: $OMNIBUS_CATALOG, else catalog.json beside the configuration file, else none.",
        valueName: "file"))
    var catalog: String?

    @Option(help: "Seconds a checkout with a coupon waits for the coupons service to reserve it before failing.")
    var couponWait = 10

    func validate() throws {
        guard (1...3600).contains(couponWait) else { throw ValidationError("--coupon-wait must be 1 to 3600 seconds") }
    }

    func run() async throws {
        let logger = launch.bootstrapLogging(service: OrdersService.name)
        let configuration = try launch.runtimeConfiguration(service: OrdersService.name, sources: OrdersService.sources, logger: logger)
        let seedPath = try launch.seedFile(explicit: catalog, environment: "OMNIBUS_CATALOG", name: "catalog.json")
        var options = OrdersService.Options(seed: try seedPath.map(OrdersService.loadSeed(path:)))
        // Coupons is optional: without it in the configuration a checkout with a coupon is refused.
        options.couponsEndpoint = try launch.suite.load().configuration.services["coupons"]?.commands
        options.couponWait = .seconds(couponWait)
        logger.info("catalog seed", metadata: ["file": "\(seedPath ?? "none")", "coupons": "\(options.couponsEndpoint ?? "none")"])
        let runtime = try OrdersService.makeRuntime(configuration: configuration, options: options, context: try launch.busContext(as: OrdersService.name), logger: logger)
        logger.notice("orders starting", metadata: ["commands": "\(configuration.endpoints.commands)"])
        try await runtime.serviceGroup(logger: logger).run()
    }
}
