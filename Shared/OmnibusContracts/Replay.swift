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
    /// Set when the request could not be served; then no events follow.
    public var error: OmnibusError?

    public init(source: String, after: Int64, head: Int64, count: Int, error: OmnibusError? = nil) {
        self.source = source
        self.after = after
        self.head = head
        self.count = count
        self.error = error
    }
}

/// Sent by every service about once a second on `source._heartbeat`, so a subscriber that
/// missed the last events of a quiet stream still learns that it is behind.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var source: String
    /// The source's latest committed sequence.
    public var head: Int64
    public var time: Timestamp

    public init(source: String, head: Int64, time: Timestamp) {
        self.source = source
        self.head = head
        self.time = time
    }
}
