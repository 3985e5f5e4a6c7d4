import ArgumentParser
import OmnibusConfiguration

/// The `--config` flag that services and the `omnibus` tool share: where the suite
/// configuration (every service's endpoints) is.
public struct SuiteConfigurationOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The suite configuration file (endpoints of every service).",
        discussion: "Default: $OMNIBUS_CONFIG, else deploy/omnibus.json if present, else the built-in local defaults.",
        valueName: "file"))
    public var config: String?

    public init() {}

    /// The configuration and where it came from (see ``SuiteConfiguration/resolve(explicitPath:environment:)``).
    public func load() throws -> (configuration: SuiteConfiguration, origin: String) {
        try SuiteConfiguration.resolve(explicitPath: config)
    }
}
