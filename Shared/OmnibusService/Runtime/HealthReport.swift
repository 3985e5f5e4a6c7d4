import OmnibusClient
import OmnibusContracts

/// The reply to the built-in `service.health` command, which every service answers.
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
    /// Erasures whose WAL compaction has not run yet (see ``Erasure``); 0 means no file
    /// holds erased data any more.
    public var pendingCompactions: Int
    /// When this process of the service started.
    public var startedAt: Timestamp?
    /// How many times the service started in the past hour, this start included: more than
    /// a few means it keeps dying (a crash loop).
    public var startsPastHour: Int?
}

/// `service.health`, which every service answers: its ``HealthReport``.
public struct GetHealth: QueryContract {
    public typealias Reply = HealthReport
    public static let name = "service.health"

    public init() {}
}
