import GRDB
import OmnibusContracts

/// How a service serves its current state as a snapshot over its replay endpoint
/// (docs/PROTOCOL.md, section 3.1), for subscribers whose position is older than the
/// retained log: record kinds in a fixed order, each read a page at a time in key order
/// from one read transaction, so every chunk reflects the same sequence.
public struct SnapshotProvider: Sendable {
    /// One kind of record, read in key order.
    public struct Kind: Sendable {
        /// The records' `kind`, as the service documents it.
        public var name: String
        /// Up to `limit` records whose keys sort after `after` (nil: from the first).
        public var read: @Sendable (_ db: Database, _ after: String?, _ limit: Int) throws -> [SnapshotRecord]

        public init(name: String, read: @escaping @Sendable (_ db: Database, _ after: String?, _ limit: Int) throws -> [SnapshotRecord]) {
            self.name = name
            self.read = read
        }
    }

    /// The snapshot format served (the records' shape); a client names the ones it reads.
    public var version: Int
    public var kinds: [Kind]

    public init(version: Int = 1, kinds: [Kind]) {
        precondition(!kinds.isEmpty, "a snapshot has at least one kind of record")
        self.version = version
        self.kinds = kinds
    }

    /// Where a chunk starts: a kind (by position) and the last key read of it.
    struct Cursor: Equatable {
        var kind: Int
        var after: String?

        /// `<kind>:<key>` — opaque to clients, who only hand it back.
        var text: String { "\(kind):\(after ?? "")" }

        init(kind: Int, after: String?) {
            self.kind = kind
            self.after = after
        }

        init?(_ text: String, kinds: Int) {
            guard let colon = text.firstIndex(of: ":"), let kind = Int(text[..<colon]), (0..<kinds).contains(kind) else { return nil }
            let key = String(text[text.index(after: colon)...])
            self.init(kind: kind, after: key.isEmpty ? nil : key)
        }
    }

    /// Up to `limit` records from `cursor` on, crossing into the next kinds as each ends, and
    /// the cursor of the chunk after them (nil: the snapshot is complete).
    func chunk(from cursor: Cursor, limit: Int, in db: Database) throws -> (records: [SnapshotRecord], next: Cursor?) {
        var records: [SnapshotRecord] = []
        var position = cursor
        while true {
            let wanted = limit - records.count
            let page = try kinds[position.kind].read(db, position.after, wanted)
            records += page
            if page.count == wanted {
                // Full: this kind may have more (an empty last chunk, at worst, says it has not).
                return (records, Cursor(kind: position.kind, after: page.last?.key ?? position.after))
            }
            guard position.kind + 1 < kinds.count else { return (records, nil) }
            position = Cursor(kind: position.kind + 1, after: nil)
        }
    }
}
