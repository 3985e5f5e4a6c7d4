import OmnibusContracts

/// A piece of a source's snapshot, handed to a reader that bootstraps from it (its position
/// was older than the source's retained log): the records to fold into its state, and
/// whether the snapshot is complete with them. Once the last chunk is taken the reader
/// continues with the events after ``sequence``.
public struct SnapshotChunk: Sendable {
    /// The source whose snapshot this is part of.
    public let source: String
    /// The snapshot's id (the same for all its chunks).
    public let id: String
    /// The last event sequence the snapshot reflects.
    public let sequence: Int64
    /// The records to fold, in the order sent.
    public let records: [SnapshotRecord]
    /// Where this chunk started, as the stream asked for it (nil: the first chunk).
    public let cursor: String?
    /// Where the next chunk starts; nil when this is the last.
    public let next: String?

    public var isLast: Bool { next == nil }
}

/// Where a stream is in bootstrapping from its source's snapshot, like `accepted` and
/// `applied` are for events: chunks are asked for from ``accepted`` on, and after a failed
/// commit again from ``committed``.
struct SnapshotBootstrap {
    /// The snapshot being read; nil until its first chunk arrives.
    var id: String?
    /// The cursor of the next chunk to hand out (nil: the first).
    var accepted: String?
    /// The cursor of the next chunk to commit.
    var committed: String?
    /// The last chunk was handed out: nothing more to ask for.
    var lastHandedOut = false
    /// Where the retained log started when the bootstrap began, for the loss count should
    /// the source serve no snapshot.
    let oldest: Int64
}
