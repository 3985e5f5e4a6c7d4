import ArgumentParser
import OmnibusCommandLine
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration

extension SuiteConfigurationOption {
    /// The configuration and where it came from; for the tool a bad file is a usage error
    /// with the reason.
    func loadOrRefuse() throws -> (configuration: SuiteConfiguration, origin: String) {
        do {
            return try load()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

/// Whose keys the tool uses when the configuration turns CURVE on.
struct PrincipalOption: ParsableArguments {
    @Option(name: .customLong("as"),
            help: ArgumentHelp("The principal whose key to use when CURVE is on (default: $OMNIBUS_PRINCIPAL or ops).", valueName: "principal"))
    var principal: String?

    /// A context for this run: CURVE with the principal's key when the configuration has security.
    func busContext(for configuration: SuiteConfiguration) throws -> ZMQContext {
        let name = principal ?? ProcessInfo.processInfo.environment["OMNIBUS_PRINCIPAL"] ?? "ops"
        do {
            return try configuration.busContext(as: name)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
