import ArgumentParser
import Foundation
import Gateway
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusConfiguration
import OmnibusContracts

/// `omnibus-gateway`: the HTTP front door, until SIGTERM or SIGINT.
@main
struct GatewayMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-gateway",
        abstract: "Run the HTTP gateway: commands over HTTP, the bus over Server-Sent Events, health.",
        discussion: """
            Services come from the suite configuration (deploy/omnibus.json), and so does the gateway's own \
            address (gateway.http) unless --http says otherwise. Front ends authenticate with a bearer token \
            listed (hashed) in tokens.json, which names their channel; policy.json says which channel may \
            call which commands. Both are read from gateway/ beside the configuration unless given. \
            Routes and formats: docs/GATEWAY.md.
            """)

    @OptionGroup var suite: SuiteConfigurationOption

    @Option(help: ArgumentHelp("Where to listen, host:port (default: gateway.http in the configuration).", valueName: "host:port"))
    var http: String?

    @Option(help: ArgumentHelp("The tokens file (default: $OMNIBUS_GATEWAY_TOKENS, else gateway/tokens.json beside the configuration).",
                               valueName: "file"))
    var tokens: String?

    @Option(help: ArgumentHelp("The policy file (default: $OMNIBUS_GATEWAY_POLICY, else gateway/policy.json beside the configuration).",
                               valueName: "file"))
    var policy: String?

    @Option(help: ArgumentHelp("The customer console page served at /console (default: gateway/console.html beside the configuration, if there).",
                               valueName: "file"))
    var console: String?

    @Option(help: ArgumentHelp("The OpenAPI document served at /v1/openapi.json (default: gateway/openapi.json beside the configuration, if there).",
                               valueName: "file"))
    var openapi: String?

    @Option(help: ArgumentHelp("A browser origin that may call the gateway (CORS); repeatable (default: gateway.corsOrigins in the configuration).",
                               valueName: "origin"))
    var corsOrigin: [String] = []

    @Option(help: ArgumentHelp("The log level.", valueName: "level"))
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in SafeLogHandler.standardError(label: label, level: level) }
        let logger = Logger(label: "omnibus.gateway")
        let (configuration, origin) = try suite.load()
        guard let address = (http.map { GatewayEndpoint(http: $0) } ?? configuration.gateway)?.hostAndPort else {
            throw ValidationError("no gateway address: give --http host:port, or gateway.http in \(origin)")
        }
        let folder = URL(fileURLWithPath: origin).deletingLastPathComponent().appendingPathComponent("gateway").path
        let environment = ProcessInfo.processInfo.environment
        var options: Gateway.Options
        do {
            options = Gateway.Options(
                configuration: configuration, host: address.host, port: address.port,
                callers: try Callers.load(path: tokens ?? environment["OMNIBUS_GATEWAY_TOKENS"] ?? folder + "/tokens.json"),
                policy: try CommandPolicy.load(path: policy ?? environment["OMNIBUS_GATEWAY_POLICY"] ?? folder + "/policy.json"),
                consolePage: try file(console, option: "--console", default: folder + "/console.html"))
            options.openAPIDocument = try file(openapi, option: "--openapi", default: folder + "/openapi.json")
        } catch let error as GatewayConfigurationError {
            throw ValidationError("gateway configuration refused: \(error)")
        }
        options.corsOrigins = Set(corsOrigin.isEmpty ? configuration.gateway?.corsOrigins ?? [] : corsOrigin)
        if let hex = environment["OMNIBUS_GATEWAY_SESSION_KEY"] {
            guard let key = HexEncoding.data(hex), key.count >= 32 else {
                throw ValidationError("$OMNIBUS_GATEWAY_SESSION_KEY must be at least 32 bytes in hex (64 hex digits or more)")
            }
            options.customerSessions = try CustomerSessions(key: Data(key))
        } else {
            logger.notice("customer tokens are signed with a key made at start: they end when the gateway restarts ($OMNIBUS_GATEWAY_SESSION_KEY keeps them)")
        }
        let context = try configuration.busContext(as: "gateway", maxSockets: options.socketsNeeded)
        let application = try Gateway.makeApplication(options: options, context: context, logger: logger)
        logger.notice("gateway starting", metadata: ["http": "\(address.host):\(address.port)", "services": "\(configuration.services.keys.sorted())"])
        try await application.runService()
    }

    /// The file an option names (which must be readable), else the default one if it is there.
    private func file(_ explicit: String?, option: String, default path: String) throws -> String? {
        if let explicit {
            guard let text = try? String(contentsOfFile: explicit, encoding: .utf8) else { throw ValidationError("\(option) \(explicit) cannot be read") }
            return text
        }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }
}
