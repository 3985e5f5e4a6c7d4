import Metrics
import OmnibusContracts
import Prometheus

/// The reply to the built-in `service.metrics` query: the service's metrics in the
/// Prometheus text exposition format (version 0.0.4), for `omnibus metrics` and for a
/// node_exporter textfile collector.
public struct MetricsReport: Codable, Sendable, Equatable {
    public var service: String
    public var format: String
    public var text: String

    public init(service: String, text: String) {
        self.service = service
        self.format = MetricsExposition.format
        self.text = text
    }
}

/// `service.metrics`, which every service answers: its metrics as a ``MetricsReport``.
public struct GetMetrics: QueryContract {
    public typealias Reply = MetricsReport
    public static let name = "service.metrics"

    public init() {}
}

/// Where a service process keeps its metrics: a Prometheus registry that swift-metrics
/// reports into once ``bootstrap()`` has run.
public enum MetricsExposition {
    /// The exposition format of ``MetricsReport/text``.
    public static let format = "prometheus-text-0.0.4"

    /// Merges several services' expositions into one valid exposition: each metric family's
    /// `# TYPE` (and `# HELP`) line once, followed by all its samples from every service.
    /// Concatenating them instead would repeat the family header, which Prometheus and
    /// node_exporter's textfile collector refuse.
    public static func merge(_ texts: [String]) -> String {
        var order: [String] = []
        var headers: [String: [String]] = [:]
        var samples: [String: [String]] = [:]
        for text in texts {
            var family = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
                if line.hasPrefix("# ") {
                    let words = line.split(separator: " ", maxSplits: 3)
                    guard words.count >= 3, words[1] == "TYPE" || words[1] == "HELP" else { continue }
                    family = String(words[2])
                    if headers[family] == nil { order.append(family); headers[family] = [] }
                    if !headers[family]!.contains(line) { headers[family]!.append(line) }
                } else {
                    if headers[family] == nil { order.append(family); headers[family] = [] }
                    samples[family, default: []].append(line)
                }
            }
        }
        return order.map { family in
            (headers[family]! + samples[family, default: []]).map { $0 + "\n" }.joined()
        }.joined()
    }

    /// Makes swift-metrics report into a new Prometheus registry and returns it. Call once
    /// per process, in `main` (swift-metrics allows one bootstrap).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
