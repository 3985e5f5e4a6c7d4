/// Asks a service's replay endpoint for its current state as a snapshot: for a client whose
/// position is older than the retained log (docs/PROTOCOL.md, section 3.1). The first request
/// names no `id`; each following one the reply's `id` and `next`.
public struct SnapshotRequest: Codable, Sendable, Equatable {
    /// The service whose state is asked for; must be the one serving the endpoint.
    public var source: String
    public var snapshot: Ask

    /// The snapshot part of the request; its presence is what makes a request a snapshot request.
    public struct Ask: Codable, Sendable, Equatable {
        /// The snapshot formats the client reads; the service answers in its format when it is
        /// listed, else `unsupported_version`.
        public var versions: [Int]
        /// The snapshot being read (from the first reply); absent: start a new one.
        public var id: String?
        /// Where the next chunk starts (the previous reply's `next`); absent: at the beginning.
        public var cursor: String?
        /// At most this many records in the reply; the service may send fewer.
        public var limit: Int?

        public init(versions: [Int], id: String? = nil, cursor: String? = nil, limit: Int? = nil) {
            self.versions = versions
            self.id = id
            self.cursor = cursor
            self.limit = limit
        }
    }

    public init(source: String, snapshot: Ask) {
        self.source = source
        self.snapshot = snapshot
    }
}

/// The first frame of a snapshot reply; the records follow, one ``SnapshotRecord`` per frame.
public struct SnapshotReplyHeader: Codable, Sendable, Equatable {
    /// Always "snapshot": tells this header from a ``ReplayReplyHeader``.
    public var type: String
    /// The service whose state this is.
    public var source: String
    /// The snapshot's id, to name in the requests for its next chunks; empty in an error
    /// header when no snapshot was started.
    public var id: String
    /// The snapshot format of the records.
    public var version: Int
    /// The last event sequence the snapshot reflects: a client that has applied the whole
    /// snapshot continues with the events after it.
    public var sequence: Int64
    /// How many record frames follow.
    public var count: Int
    /// The request's cursor: where this chunk starts (nil: the first chunk).
    public var cursor: String?
    /// Where the next chunk starts; nil when this was the last chunk.
    public var next: String?
    /// Set when the request could not be served; then no records follow.
    public var error: OmnibusError?

    /// The value of ``type``.
    public static let typeName = "snapshot"

    public init(source: String, id: String, version: Int, sequence: Int64, count: Int, cursor: String?, next: String?,
                error: OmnibusError? = nil) {
        type = Self.typeName
        self.source = source
        self.id = id
        self.version = version
        self.sequence = sequence
        self.count = count
        self.cursor = cursor
        self.next = next
        self.error = error
    }
}

/// One piece of a service's state in a snapshot: a record of a `kind` the service documents
/// (identity: `customer`), its key, and its fields.
public struct SnapshotRecord: Codable, Sendable, Equatable {
    /// What the record is (identity: `customer`); records come kind after kind.
    public var kind: String
    /// Its key within the kind (identity: the customer id); keys come in order.
    public var key: String
    /// Its fields, in the shape the kind documents.
    public var data: JSONValue

    public init(kind: String, key: String, data: JSONValue) {
        self.kind = kind
        self.key = key
        self.data = data
    }

    /// `data` decoded as `Value`.
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try ContractCoding.decode(type, from: try ContractCoding.encode(data))
    }
}
