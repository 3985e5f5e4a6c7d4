/// Asks a service's replay endpoint for its events after a sequence number.
public struct ReplayRequest: Codable, Sendable, Equatable {
    /// The service whose events are asked for; must be the one serving the endpoint.
    public var source: String
    /// Events with a sequence greater than this are returned (0: from the start).
    public var after: Int64
    /// At most this many events in the reply; the service may send fewer.
    public var limit: Int?

    public init(source: String, after: Int64, limit: Int? = nil) {
        self.source = source
        self.after = after
        self.limit = limit
    }
}

/// The first frame of a replay reply; the events follow, one envelope per frame.
public struct ReplayReplyHeader: Codable, Sendable, Equatable {
    public var source: String
    /// The `after` of the request this answers; -1 in an error header when the request
    /// could not be read.
    public var after: Int64
    /// The source's latest sequence when the reply was made.
    public var head: Int64
    /// How many event frames follow.
    public var count: Int
    /// The oldest sequence the log still holds (older ones were removed by retention), when
    /// the service knows it; an `after` below `oldest - 1` gets `out_of_range`, and the
    /// client bootstraps from the source's snapshot (``SnapshotRequest``).
    public var oldest: Int64?
    /// The log's epoch (see ``LogEpoch``); nil from a service that predates epochs.
    public var epoch: LogEpoch?
    /// Set when the request could not be served; then no events follow.
    public var error: OmnibusError?

    public init(source: String, after: Int64, head: Int64, count: Int, oldest: Int64? = nil, epoch: LogEpoch? = nil,
                error: OmnibusError? = nil) {
        self.source = source
        self.after = after
        self.head = head
        self.count = count
        self.oldest = oldest
        self.epoch = epoch
        self.error = error
    }

    /// The reply says the events after `after` are no longer kept (retention removed them),
    /// as opposed to `after` being beyond the head (a reset or restored log).
    public var eventsRetired: Bool {
        error?.code == .outOfRange && (oldest.map { after < $0 - 1 } ?? false)
    }
}

/// Sent by every service about once a second on `source._heartbeat`, so a subscriber that
/// missed the last events of a quiet stream still learns that it is behind.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var source: String
    /// The source's latest committed sequence.
    public var head: Int64
    public var time: Timestamp
    /// The log's epoch (see ``LogEpoch``); nil from a service that predates epochs.
    public var epoch: LogEpoch?

    public init(source: String, head: Int64, time: Timestamp, epoch: LogEpoch? = nil) {
        self.source = source
        self.head = head
        self.time = time
        self.epoch = epoch
    }
}

/// Which life of a source's event log the sequences belong to. A log starts a new epoch when
/// its database is restored from a backup: it then goes on from the backup's head, handing
/// out again numbers that the old log may already have given to other events. A subscriber
/// that sees the epoch change knows that what it applied after ``startsAfter`` is not in the
/// log any more, and replays from there (docs/PROTOCOL.md, section 4).
public struct LogEpoch: Codable, Sendable, Hashable {
    /// Random, unique per epoch.
    public var id: String
    /// The last sequence shared with the previous epoch (0 for a log's first epoch).
    public var startsAfter: Int64

    public init(id: String, startsAfter: Int64) {
        self.id = id
        self.startsAfter = startsAfter
    }
}
