import Metrics

/// Names of the metrics the runtime reports (Prometheus style). Every one carries the
/// `service` dimension; see the README for the full list.
package enum BusMetric {
    package static let rejectedMessages = "omnibus_rejected_messages_total"  // endpoint, reason
    package static let eventsPublished = "omnibus_events_published_total"
    package static let heartbeatsSent = "omnibus_heartbeats_sent_total"
    package static let eventsApplied = "omnibus_events_applied_total"  // from
    package static let duplicatesDropped = "omnibus_events_duplicate_total"  // from
    package static let gapsDetected = "omnibus_gaps_detected_total"  // from
    package static let replayRequests = "omnibus_replay_requests_total"  // from
    package static let deadLetters = "omnibus_dead_letters_total"  // from
    package static let commands = "omnibus_commands_total"  // command, outcome
    package static let appliedSequence = "omnibus_applied_sequence"  // from
    package static let publishedSequence = "omnibus_published_sequence"
    package static let diskFreeBytes = "omnibus_disk_free_bytes"
    package static let databaseBytes = "omnibus_database_bytes"
    package static let replayServed = "omnibus_replay_served_total"
    package static let handshakesRefused = "omnibus_handshakes_refused_total"  // endpoint
    package static let eventLogBytes = "omnibus_event_log_bytes"
    package static let oldestSequence = "omnibus_event_log_oldest_sequence"
    package static let eventsRetired = "omnibus_events_retired_total"
    package static let snapshotsServed = "omnibus_snapshots_served_total"
    package static let snapshotBootstraps = "omnibus_snapshot_bootstraps_total"  // from
    package static let eventsLost = "omnibus_events_lost_total"  // from
    package static let sourceRestores = "omnibus_source_restores_total"  // from
}

/// Creates metrics with the service dimension filled in, from one factory (tests pass a
/// test factory; production uses the bootstrapped one).
package struct MetricsRecorder: Sendable {
    package let service: String
    package let factory: any MetricsFactory

    package init(service: String, factory: any MetricsFactory) {
        self.service = service
        self.factory = factory
    }

    package func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: [("service", service)] + dimensions, factory: factory)
    }

    package func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        Gauge(label: label, dimensions: [("service", service)] + dimensions, factory: factory)
    }

    /// Counts a message refused on `endpoint` for `reason` (e.g. `invalid_json`).
    package func rejected(endpoint: String, reason: String) {
        counter(BusMetric.rejectedMessages, [("endpoint", endpoint), ("reason", reason)]).increment()
    }
}
