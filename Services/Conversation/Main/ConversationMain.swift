import ArgumentParser
import ConversationService
import OmnibusBus
import OmnibusService

/// `omnibus-conversation`: runs the conversation service until SIGTERM or SIGINT.
@main
struct ConversationMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-conversation",
        abstract: "Run the conversation service: conversations across channels, touchpoints, cases, customer context.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json), which also names the services whose \
            events it folds into the customer's context (identity, and orders and coupons when configured); the \
            database is <data>/conversation.sqlite. Commands and events: docs/CONVERSATION.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    func run() async throws {
        let logger = launch.bootstrapLogging(service: ConversationService.name)
        let configuration = try launch.runtimeConfiguration(
            service: ConversationService.name, sources: ConversationService.sources,
            optionalSources: ConversationService.optionalSources, logger: logger)
        let runtime = try ConversationService.makeRuntime(configuration: configuration, context: try launch.busContext(as: ConversationService.name), logger: logger)
        logger.notice("conversation starting", metadata: ["commands": "\(configuration.endpoints.commands)",
                                                          "sources": "\(configuration.sources.map(\.name))"])
        try await runtime.serviceGroup(logger: logger).run()
    }
}
