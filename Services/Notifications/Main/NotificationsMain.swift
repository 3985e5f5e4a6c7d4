import ArgumentParser
import NotificationsService
import OmnibusBus
import OmnibusService

/// `omnibus-notifications`: runs the notifications service until SIGTERM or SIGINT.
@main
struct NotificationsMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-notifications",
        abstract: "Run the notifications service: events turned into messages on the customer's consented channel, once.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json), which also names identity and the \
            services whose events the rules name; the database is <data>/notifications.sqlite. Rules and templates \
            are loaded from the rules folder at start, and a broken one stops the start with its file, line and \
            reason. Commands and events: docs/NOTIFICATIONS.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    @Option(help: ArgumentHelp(
        "The folder with rules.json and templates/.",
        discussion: "Default: $OMNIBUS_NOTIFICATIONS, else notifications/ beside the configuration file.", valueName: "folder"))
    var rules: String?

    func run() async throws {
        let logger = launch.bootstrapLogging(service: NotificationsService.name)
        guard let folder = try launch.seedFile(explicit: rules, environment: "OMNIBUS_NOTIFICATIONS", name: "notifications") else {
            throw ValidationError("no notification rules: give --rules, or put notifications/ beside the configuration file")
        }
        let loaded: NotificationRules
        do {
            loaded = try NotificationRules.load(directory: folder)
        } catch let error as NotificationRules.LoadError {
            throw ValidationError("notification rules refused: \(error)")
        }
        let configuration = try launch.runtimeConfiguration(
            service: NotificationsService.name, sources: NotificationsService.sources,
            optionalSources: NotificationsService.optionalSources, logger: logger)
        let runtime = try NotificationsService.makeRuntime(configuration: configuration, rules: loaded, context: try ZMQContext(), logger: logger)
        logger.notice("notifications starting", metadata: ["commands": "\(configuration.endpoints.commands)", "rules": "\(loaded.rules.count)"])
        try await runtime.serviceGroup(logger: logger).run()
    }
}
