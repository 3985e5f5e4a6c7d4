import OmnibusContracts

extension CustomerView {
    /// The view with `seen` cleared: folded from a snapshot it holds the snapshot's sequence,
    /// not the last event's about the customer — the one field allowed to differ.
    public var unseen: CustomerView {
        var view = self
        view.seen = [:]
        return view
    }
}

extension CustomerViews {
    /// Every view by id, without `seen` (``CustomerView/unseen``).
    public var unseen: [String: CustomerView] { all.mapValues(\.unseen) }
}
