import Foundation
import Logging
import OmnibusBus
import OmnibusService

/// A service started in the benchmark's process, as tests start one: its own SQLite file in a
/// temporary folder, ephemeral loopback ports, logging only errors.
struct BenchedService {
    let directory: String
    let context: ZMQContext
    let runtime: ServiceRuntime
    let service: RunningRuntime

    /// Starts the service `name` that `make` builds from its configuration.
    static func start(
        _ name: String, _ make: (ServiceRuntime.Configuration, ZMQContext, Logger) throws -> ServiceRuntime
    ) async throws -> BenchedService {
        let directory = NSTemporaryDirectory() + "omnibus-bench-\(name)-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = try ZMQContext(ioThreads: 1)
        var logger = Logger(label: "bench.\(name)")
        logger.logLevel = .error
        let configuration = ServiceRuntime.Configuration(name: name, databasePath: "\(directory)/\(name).sqlite", endpoints: .ephemeral)
        let runtime = try make(configuration, context, logger)
        return BenchedService(directory: directory, context: context, runtime: runtime,
                              service: try await RunningRuntime.start(runtime, logger: logger))
    }

    /// Where clients send commands.
    var endpoint: String { service.endpoints.commands }

    /// Removes the service's folder (after it stopped, or when the benchmark ends early).
    func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
