import ArgumentParser
import IdentityService
import OmnibusBus
import OmnibusService

/// `omnibus-identity`: runs the identity service until SIGTERM or SIGINT.
@main
struct IdentityMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-identity",
        abstract: "Run the identity service: customer profiles, identifiers, merges, consent, erasure.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json); the database is \
            <data>/identity.sqlite. Commands and events are described in docs/IDENTITY.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    func run() async throws {
        let logger = launch.bootstrapLogging(service: IdentityService.name)
        let configuration = try launch.runtimeConfiguration(service: IdentityService.name, logger: logger)
        let runtime = try IdentityService.makeRuntime(configuration: configuration, context: try launch.busContext(as: IdentityService.name), logger: logger)
        logger.notice("identity starting", metadata: ["commands": "\(configuration.endpoints.commands)"])
        try await runtime.serviceGroup(logger: logger).run()
    }
}
