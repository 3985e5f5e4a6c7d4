import GRDB
import OmnibusContracts

extension KnownCustomers {
    /// Folds `customer` records of identity's snapshot into a consumer's known customers,
    /// doing through `merge` and `erase` (the consumer's own reactions to `customer.merged`
    /// and `customer.erased`) what the events it missed would have done: the merges it has
    /// not applied, then the erasures it has not done — all of the records' in one `erase`,
    /// since an erasure scans tables (stored replies, dead letters) once whatever it names.
    /// Returns the states of the live customers (neither merged away nor erased), for the
    /// consumer to fold what else it keeps.
    ///
    /// Records come in id order, not in the order things happened; merges still end on the
    /// final survivor (``recordMerge(_:into:in:)`` follows chains either way round).
    public static func fold(
        _ records: [SnapshotRecord], in db: Database,
        merge: (_ mergedId: String, _ survivorId: String) throws -> Void,
        erase: (IdentityEvent.CustomerErased) throws -> Void
    ) throws -> [IdentitySnapshot.CustomerState] {
        var live: [IdentitySnapshot.CustomerState] = []
        var erased: [String] = []
        for record in records {
            let state = try record.decode(IdentitySnapshot.CustomerState.self)
            switch state.status {
            case .merged:
                if let survivorId = state.mergedInto, try survivor(of: state.customerId, in: db) == state.customerId {
                    try merge(state.customerId, survivorId)
                }
            case .erased:
                if try !isErased(state.customerId, in: db) { erased.append(state.customerId) }
            case .provisional, .registered:
                live.append(state)
            }
        }
        if let first = erased.first {
            try erase(IdentityEvent.CustomerErased(customerId: first, erasedIds: erased))
        }
        return live
    }
}
