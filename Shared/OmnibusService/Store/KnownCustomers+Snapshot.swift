import GRDB
import OmnibusContracts

extension KnownCustomers {
    /// Folds one `customer` record of identity's snapshot into a consumer's known customers,
    /// doing through `merge` and `erase` (the consumer's own reactions to `customer.merged`
    /// and `customer.erased`) what the events it missed would have done: a merge it has not
    /// applied, an erasure it has not done. Returns the customer's state when it is live
    /// (neither merged away nor erased), for the consumer to fold what else it keeps.
    ///
    /// Records come in id order, not in the order things happened; merges still end on the
    /// final survivor (``recordMerge(_:into:in:)`` follows chains either way round).
    public static func fold(
        _ record: SnapshotRecord, in db: Database,
        merge: (_ mergedId: String, _ survivorId: String) throws -> Void,
        erase: (IdentityEvent.CustomerErased) throws -> Void
    ) throws -> IdentitySnapshot.CustomerState? {
        let state = try record.decode(IdentitySnapshot.CustomerState.self)
        switch state.status {
        case .merged:
            if let survivorId = state.mergedInto, try survivor(of: state.customerId, in: db) == state.customerId {
                try merge(state.customerId, survivorId)
            }
            return nil
        case .erased:
            if try !isErased(state.customerId, in: db) {
                try erase(IdentityEvent.CustomerErased(customerId: state.customerId, erasedIds: [state.customerId]))
            }
            return nil
        case .provisional, .registered:
            return state
        }
    }
}
