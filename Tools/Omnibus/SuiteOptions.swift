import ArgumentParser
import OmnibusCommandLine
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
