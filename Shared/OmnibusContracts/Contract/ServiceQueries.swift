/// `service.health`, which every service answers: its ``HealthReport``.
public struct GetHealth: QueryContract {
    public typealias Reply = HealthReport
    public static let name = "service.health"

    public init() {}
}

/// The reply to `service.health`.
public struct HealthReport: Codable, Sendable, Equatable {
    public var service: String
    /// The latest sequence in the service's event log.
    public var head: Int64
    /// The latest sequence the relay has published.
    public var publishedThrough: Int64
    /// Per consumed source: applied sequence, announced head, repaired gaps.
    public var subscriptions: [String: SourceProgress]
    /// Events parked because they could not be applied.
    public var deadLetters: Int
    /// Erasures whose WAL compaction has not run yet; 0 means no file holds erased data any more.
    public var pendingCompactions: Int
    /// When this process of the service started.
    public var startedAt: Timestamp?
    /// How many times the service started in the past hour, this start included: more than
    /// a few means it keeps dying (a crash loop).
    public var startsPastHour: Int?
    /// The disk the database is on; while `writesRefused`, state-changing commands get `unavailable`.
    public var storage: StorageReport?

    public init(
        service: String, head: Int64, publishedThrough: Int64, subscriptions: [String: SourceProgress], deadLetters: Int,
        pendingCompactions: Int, startedAt: Timestamp?, startsPastHour: Int?, storage: StorageReport? = nil
    ) {
        self.storage = storage
        self.service = service
        self.head = head
        self.publishedThrough = publishedThrough
        self.subscriptions = subscriptions
        self.deadLetters = deadLetters
        self.pendingCompactions = pendingCompactions
        self.startedAt = startedAt
        self.startsPastHour = startsPastHour
    }
}

/// A service's disk: free space on the filesystem of its database, the database's size (WAL
/// included), and the floor below which it refuses state-changing commands.
public struct StorageReport: Sendable, Equatable, Codable {
    public var freeBytes: Int64
    public var databaseBytes: Int64
    public var minimumFreeBytes: Int64
    public var writesRefused: Bool
    /// The event log's envelope bytes (what retention bounds), as of the last trim pass.
    public var eventLogBytes: Int64?
    /// The oldest sequence the log still holds; nil when it is empty.
    public var oldestSequence: Int64?

    public init(freeBytes: Int64, databaseBytes: Int64, minimumFreeBytes: Int64, writesRefused: Bool,
                eventLogBytes: Int64? = nil, oldestSequence: Int64? = nil) {
        self.freeBytes = freeBytes
        self.databaseBytes = databaseBytes
        self.minimumFreeBytes = minimumFreeBytes
        self.writesRefused = writesRefused
        self.eventLogBytes = eventLogBytes
        self.oldestSequence = oldestSequence
    }
}

/// How far a subscriber is with one source.
public struct SourceProgress: Sendable, Equatable, Codable {
    /// Applied (and committed) through this sequence.
    public var applied: Int64
    /// The highest sequence the source has said it has (heartbeats, replay replies, events).
    public var head: Int64
    /// Gaps detected in the stream and repaired by replay.
    public var gapsRepaired: Int
    /// Times the subscriber rebuilt its state from the source's snapshot since it started,
    /// because its position was older than the source's retained log.
    public var snapshotBootstraps: Int?
    /// A snapshot of the source is being read now.
    public var bootstrapping: Bool?

    public init(applied: Int64, head: Int64, gapsRepaired: Int, snapshotBootstraps: Int? = nil, bootstrapping: Bool? = nil) {
        self.applied = applied
        self.head = head
        self.gapsRepaired = gapsRepaired
        self.snapshotBootstraps = snapshotBootstraps
        self.bootstrapping = bootstrapping
    }
}

/// `service.metrics`, which every service answers: its metrics as a ``MetricsReport``.
public struct GetMetrics: QueryContract {
    public typealias Reply = MetricsReport
    public static let name = "service.metrics"

    public init() {}
}

/// The reply to `service.metrics`: the service's metrics in the Prometheus text exposition
/// format (version 0.0.4), for `omnibus metrics` and a node_exporter textfile collector.
public struct MetricsReport: Codable, Sendable, Equatable {
    /// The exposition format of ``text``.
    public static let prometheusText = "prometheus-text-0.0.4"

    public var service: String
    public var format: String
    public var text: String

    public init(service: String, text: String) {
        self.service = service
        self.format = Self.prometheusText
        self.text = text
    }
}

/// `service.backup`, which every service answers: writes a consistent copy of its database
/// (SQLite's online backup, while it runs) to `<folder>/<service>.sqlite` on the service's
/// machine; never overwrites a file. `omnibus backup` asks every service.
public struct BackupDatabase: QueryContract {
    public typealias Reply = BackupReport
    public static let name = "service.backup"

    /// An absolute path; created if missing.
    public var folder: String

    public init(folder: String) { self.folder = folder }
}

/// What `service.backup` wrote.
public struct BackupReport: Codable, Sendable, Equatable {
    /// The service whose database was copied.
    public var service: String
    /// The copy's path.
    public var file: String
    /// The last event in the copy: a service restored from it goes on after this sequence.
    public var head: Int64
    /// The copy's log epoch: a new one, after ``head``, so that a service restored from the
    /// copy is told apart from the running log by every subscriber.
    public var epoch: LogEpoch
    /// The copy's size.
    public var bytes: Int64
    /// When the copy was made (the service's clock); stored replies younger than this are not in it.
    public var takenAt: Timestamp

    public init(service: String, file: String, head: Int64, epoch: LogEpoch, bytes: Int64, takenAt: Timestamp) {
        self.service = service
        self.file = file
        self.head = head
        self.epoch = epoch
        self.bytes = bytes
        self.takenAt = takenAt
    }
}
