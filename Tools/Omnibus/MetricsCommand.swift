import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// `omnibus metrics`: every service's metrics in the Prometheus text format, from its
/// `service.metrics` query.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the services' metrics in the Prometheus text exposition format.",
        discussion: """
            Every metric carries a service label; the services' expositions are merged into one valid \
            exposition (each family's TYPE line once), so `omnibus metrics > /var/lib/node_exporter/textfile/omnibus.prom` (atomically, via a \
            temporary file and mv) lets node_exporter's textfile collector serve them to Prometheus. Exits 1 \
            when a service does not answer; the others are still printed.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Option(help: ArgumentHelp("Only this service (repeatable).", valueName: "name"))
    var service: [String] = []

    @Option(help: "Milliseconds to wait for each service's reply.")
    var timeout = 2000

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        for name in service where configuration.services[name] == nil {
            throw ValidationError("no service '\(name)' in the configuration; it names \(configuration.services.keys.sorted().joined(separator: ", "))")
        }
        let names = service.isEmpty ? configuration.services.keys.sorted() : service
        let context = try principal.busContext(for: configuration)
        var failed = false
        var texts: [String] = []
        for name in names {
            let endpoint = configuration.services[name]!.commands
            let timeout = self.timeout
            do {
                let report = try await CommandClient.reply(
                    to: GetMetrics(), at: endpoint, context: context, timeout: .milliseconds(timeout)
                ).get()
                texts.append(report.text)
            } catch {
                failed = true
                FileHandle.standardError.write(Data("omnibus metrics: \(name): \(error)\n".utf8))
            }
        }
        print(MetricsMerge.merge(texts), terminator: "")
        if failed { throw ExitCode(1) }
    }
}
