import ArgumentParser
import Foundation
import Gateway
import Logging
import OmnibusBus
import OmnibusCommandLine
import OmnibusConfiguration

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

    @Option(help: ArgumentHelp("The log level.", valueName: "level"))
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "omnibus.gateway")
        let (configuration, origin) = try suite.load()
        guard let address = (http.map(GatewayEndpoint.init(http:)) ?? configuration.gateway)?.hostAndPort else {
            throw ValidationError("no gateway address: give --http host:port, or gateway.http in \(origin)")
        }
        let folder = URL(fileURLWithPath: origin).deletingLastPathComponent().appendingPathComponent("gateway").path
        let environment = ProcessInfo.processInfo.environment
        let options: Gateway.Options
        do {
            options = Gateway.Options(
                configuration: configuration, host: address.host, port: address.port,
                callers: try Callers.load(path: tokens ?? environment["OMNIBUS_GATEWAY_TOKENS"] ?? folder + "/tokens.json"),
                policy: try CommandPolicy.load(path: policy ?? environment["OMNIBUS_GATEWAY_POLICY"] ?? folder + "/policy.json"),
                consolePage: try consolePage(default: folder + "/console.html"))
        } catch let error as GatewayConfigurationError {
            throw ValidationError("gateway configuration refused: \(error)")
        }
        let application = try Gateway.makeApplication(options: options, context: try ZMQContext(), logger: logger)
        logger.notice("gateway starting", metadata: ["http": "\(address.host):\(address.port)", "services": "\(configuration.services.keys.sorted())"])
        try await application.runService()
    }

    private func consolePage(default path: String) throws -> String? {
        if let console {
            guard let page = try? String(contentsOfFile: console, encoding: .utf8) else { throw ValidationError("--console \(console) cannot be read") }
            return page
        }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }
}
