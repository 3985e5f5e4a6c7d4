import Metrics
import Prometheus

/// Where a service process keeps its metrics: a Prometheus registry that swift-metrics
/// reports into once ``bootstrap()`` has run, and `service.metrics` answers from.
public enum MetricsExposition {
    /// Makes swift-metrics report into a new Prometheus registry and returns it. Call once
    /// per process, in `main` (swift-metrics allows one bootstrap).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
