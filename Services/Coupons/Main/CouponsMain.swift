import ArgumentParser
import CouponsService
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// `omnibus-coupons`: runs the coupons service until SIGTERM or SIGINT.
@main
struct CouponsMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-coupons",
        abstract: "Run the coupons service: campaigns, wallets, validation, reservations, redemptions.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json), which also names the identity \
            and orders services whose events coupons applies; the database is <data>/coupons.sqlite. On first \
            start the campaigns are loaded from the seed file. Commands and events: docs/COUPONS.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    @Option(help: ArgumentHelp(
        "Campaign seed loaded into an empty database.",
        discussion: "Default: $OMNIBUS_CAMPAIGNS, else campaigns.json beside the configuration file, else none.",
        valueName: "file"))
    var campaigns: String?

    @Option(help: "Seconds a reservation holds a coupon when the request does not say.")
    var holdSeconds = CouponsCommand.defaultHoldSeconds

    func validate() throws {
        guard (1...CouponsCommand.maxHoldSeconds).contains(holdSeconds) else {
            throw ValidationError("--hold-seconds must be 1 to \(CouponsCommand.maxHoldSeconds)")
        }
    }

    func run() async throws {
        let logger = launch.bootstrapLogging(service: CouponsService.name)
        let configuration = try launch.runtimeConfiguration(
            service: CouponsService.name, sources: CouponsService.sources, optionalSources: CouponsService.optionalSources, logger: logger)
        let seedPath = try launch.seedFile(explicit: campaigns, environment: "OMNIBUS_CAMPAIGNS", name: "campaigns.json")
        var options = CouponsService.Options(seed: try seedPath.map(CouponsService.loadSeed(path:)))
        options.defaultHoldSeconds = holdSeconds
        logger.info("campaign seed", metadata: ["file": "\(seedPath ?? "none")"])
        let runtime = try CouponsService.makeRuntime(configuration: configuration, options: options, context: try launch.busContext(as: CouponsService.name), logger: logger)
        logger.notice("coupons starting", metadata: ["commands": "\(configuration.endpoints.commands)"])
        try await runtime.serviceGroup(logger: logger).run()
    }
}
