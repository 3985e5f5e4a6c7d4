import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusService

/// A service started in the benchmark's process, as tests start one: its own SQLite file in a
/// temporary folder, ephemeral loopback ports, logging only errors.
struct BenchedService {
    let directory: String
    let context: ZMQContext
    let runtime: ServiceRuntime
    let service: RunningRuntime

    /// Starts the service `name` that `make` builds from its configuration, consuming `sources`.
    static func start(
        _ name: String, sources: [SubscriptionSource] = [], directory: String? = nil, context: ZMQContext? = nil,
        _ make: (ServiceRuntime.Configuration, ZMQContext, Logger) throws -> ServiceRuntime
    ) async throws -> BenchedService {
        let directory = directory ?? NSTemporaryDirectory() + "omnibus-bench-\(name)-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = try context ?? ZMQContext(ioThreads: 1)
        var logger = Logger(label: "bench.\(name)")
        logger.logLevel = .error
        var configuration = ServiceRuntime.Configuration(name: name, databasePath: "\(directory)/\(name).sqlite", endpoints: .ephemeral)
        configuration.sources = sources
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
