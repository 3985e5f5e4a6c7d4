import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusCommandLine
import OmnibusConfiguration
import OmnibusContracts

/// `omnibus status`: each service's health, from its `service.health` command.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each service's health: up or down, address, sequences, subscriber lag, dead letters.",
        discussion: "Exits with status 1 when any service is down (no health reply within --timeout), 0 otherwise.")

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Option(help: "Milliseconds to wait for each service's reply.")
    var timeout = 1000

    @Flag(help: "One JSON object per service instead of a table.")
    var json = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        let context = try principal.busContext(for: configuration)
        let names = configuration.services.keys.sorted()
        let timeout = self.timeout
        // Asked in parallel, so a suite with several services down answers in one timeout.
        let results = try await withThrowingTaskGroup(of: (String, Result<HealthReport, OmnibusError>).self) { group in
            for name in names {
                let endpoint = try configuration.endpoints(of: name).commands
                group.addTask { (name, await HealthProbe.check(endpoint: endpoint, context: context, timeoutMilliseconds: timeout)) }
            }
            return try await group.reduce(into: [String: Result<HealthReport, OmnibusError>]()) { $0[$1.0] = $1.1 }
        }
        let rows = names.map { ServiceStatus(name: $0, endpoints: configuration.services[$0]!, health: results[$0]!) }
        if json {
            for row in rows { print(String(decoding: try ContractCoding.encode(row.json), as: UTF8.self)) }
        } else {
            print(StatusTable.render(rows))
        }
        if rows.contains(where: { !$0.isUp }) { throw ExitCode(1) }
    }
}

/// One service's line in `omnibus status`.
struct ServiceStatus {
    let name: String
    let endpoints: ServiceEndpoints
    let health: Result<HealthReport, OmnibusError>

    var isUp: Bool { if case .success = health { true } else { false } }

    /// The machine-readable form (`--json`).
    struct JSONForm: Codable {
        var service: String
        var up: Bool
        var commands: String
        var events: String
        var health: HealthReport?
        var error: String?
    }

    var json: JSONForm {
        switch health {
        case .success(let report):
            JSONForm(service: name, up: true, commands: endpoints.commands, events: endpoints.events, health: report)
        case .failure(let error):
            JSONForm(service: name, up: false, commands: endpoints.commands, events: endpoints.events, error: error.message)
        }
    }
}

/// The human-readable table.
enum StatusTable {
    static func render(_ rows: [ServiceStatus]) -> String {
        var lines = [["SERVICE", "STATE", "UPTIME", "STARTS/1H", "COMMANDS", "HEAD", "PUBLISHED", "SUBSCRIPTIONS (applied/head lag)",
                      "DEAD", "DISK FREE", "EVENT LOG"]]
        for row in rows {
            switch row.health {
            case .success(let report):
                let subscriptions = report.subscriptions.keys.sorted().map { source -> String in
                    let progress = report.subscriptions[source]!
                    return "\(source) \(progress.applied)/\(progress.head) lag \(progress.head - progress.applied)"
                        + (progress.bootstrapping == true ? " (from snapshot)" : "")
                }.joined(separator: ", ")
                let uptime = report.startedAt.map { Self.duration(Timestamp.now().millisecondsSince1970 - $0.millisecondsSince1970) }
                lines.append([row.name, report.storage?.writesRefused == true ? "up, WRITES REFUSED" : "up", uptime ?? "-",
                              report.startsPastHour.map(String.init) ?? "-", row.endpoints.commands,
                              String(report.head), String(report.publishedThrough), subscriptions.isEmpty ? "-" : subscriptions,
                              String(report.deadLetters), report.storage.map(Self.disk) ?? "-", report.storage.flatMap(Self.log) ?? "-"])
            case .failure(let error):
                lines.append([row.name, "DOWN", "-", "-", row.endpoints.commands, "-", "-", error.message, "-", "-", "-"])
            }
        }
        return align(lines)
    }

    /// `812 MiB (floor 64)`: free space beside the floor below which writes are refused.
    static func disk(_ storage: StorageReport) -> String {
        "\(storage.freeBytes >> 20) MiB (floor \(storage.minimumFreeBytes >> 20))"
    }

    /// `136 MiB from 540007`: the event log's envelope bytes and the oldest sequence it keeps.
    static func log(_ storage: StorageReport) -> String? {
        guard let bytes = storage.eventLogBytes else { return nil }
        let size = bytes < 1 << 20 ? "\(bytes >> 10) KiB" : "\(bytes >> 20) MiB"
        return size + (storage.oldestSequence.map { " from \($0)" } ?? "")
    }

    /// `42s`, `7m05s`, `3h12m`, `2d04h`.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m" + twoDigits(seconds % 60) + "s"
        case ..<86_400: return "\(seconds / 3600)h" + twoDigits(seconds / 60 % 60) + "m"
        default: return "\(seconds / 86_400)d" + twoDigits(seconds / 3600 % 24) + "h"
        }
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func align(_ lines: [[String]]) -> String {
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
