import Metrics

/// Names of the metrics the runtime reports (Prometheus style). Every one carries the
/// `service` dimension; see the README for the full list.
enum BusMetric {
    static let rejectedMessages = "omnibus_rejected_messages_total"  // endpoint, reason
    static let eventsPublished = "omnibus_events_published_total"
    static let heartbeatsSent = "omnibus_heartbeats_sent_total"
    static let eventsApplied = "omnibus_events_applied_total"  // from
    static let duplicatesDropped = "omnibus_events_duplicate_total"  // from
    static let gapsDetected = "omnibus_gaps_detected_total"  // from
    static let replayRequests = "omnibus_replay_requests_total"  // from
    static let deadLetters = "omnibus_dead_letters_total"  // from
    static let commands = "omnibus_commands_total"  // command, outcome
    static let appliedSequence = "omnibus_applied_sequence"  // from
    static let publishedSequence = "omnibus_published_sequence"
}

/// Creates metrics with the service dimension filled in, from one factory (tests pass a
/// test factory; production uses the bootstrapped one).
struct MetricsRecorder: Sendable {
    let service: String
    let factory: any MetricsFactory

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: [("service", service)] + dimensions, factory: factory)
    }

    func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        Gauge(label: label, dimensions: [("service", service)] + dimensions, factory: factory)
    }

    /// Counts a message refused on `endpoint` for `reason` (e.g. `invalid_json`).
    func rejected(endpoint: String, reason: String) {
        counter(BusMetric.rejectedMessages, [("endpoint", endpoint), ("reason", reason)]).increment()
    }
}
