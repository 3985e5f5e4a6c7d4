import ArgumentParser
import Foundation
import OmnibusConfiguration

/// Where the suite configuration is, shared by every subcommand.
struct SuiteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The suite configuration file.",
        discussion: "Default: $OMNIBUS_CONFIG, else deploy/omnibus.json if present, else the built-in local defaults.",
        valueName: "file"))
    var config: String?

    /// The configuration and where it came from; a bad file is a usage error with the reason.
    func load() throws -> (configuration: SuiteConfiguration, origin: String) {
        do {
            return try SuiteConfiguration.resolve(explicitPath: config)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
