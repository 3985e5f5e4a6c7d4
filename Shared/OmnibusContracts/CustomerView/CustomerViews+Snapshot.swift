extension CustomerViews {
    /// Folds a chunk of `source`'s snapshot (docs/PROTOCOL.md, section 3.1) that reflects its
    /// log through `sequence`: for a front end whose position is older than the source keeps
    /// events, so one offline for a month still shows every customer whole. Each record adds
    /// what it holds to the customer's view exactly as the events it stands for would have
    /// (the same combining rules, so merges and erasures from other sources land the same
    /// in any order); nothing the view already has is taken away. The source's events up to
    /// `sequence` are passed over afterwards, and the views changed have `seen[source]` set to
    /// `sequence`. Returns the ids of the views changed; a record that does not read as its
    /// kind, or of a kind not known, is counted in ``skipped``.
    @discardableResult
    public mutating func apply(snapshot records: [SnapshotRecord], of source: String, through sequence: Int64) -> Set<String> {
        applied[source] = max(applied[source] ?? 0, sequence)
        var changed: Set<String> = []
        for record in records {
            let folded: String?
            do {
                folded = try foldSnapshot(record, of: source)
            } catch {
                skipped += 1
                continue
            }
            guard let id = folded else { continue }
            changed.insert(id)
        }
        // A merge may have moved a changed view since it was changed.
        let current = Set(changed.compactMap { view(of: $0)?.customerId })
        for id in current {
            let seen = views[id]?.seen[source] ?? 0
            views[id]?.seen[source] = max(seen, sequence)
        }
        return current
    }

    private mutating func foldSnapshot(_ record: SnapshotRecord, of source: String) throws -> String? {
        switch (source, record.kind) {
        case (IdentityEvent.source, IdentitySnapshot.customerKind): return try foldIdentitySnapshot(record)
        case (OrdersEvent.source, OrdersSnapshot.customerKind): return try foldOrdersSnapshot(record)
        case (CouponsEvent.source, CouponsSnapshot.walletKind): return try foldCouponsSnapshot(record)
        case (ConversationEvent.source, ConversationSnapshot.customerKind): return try foldConversationSnapshot(record)
        case (NotificationsEvent.source, NotificationsSnapshot.customerKind): return try foldNotificationsSnapshot(record)
        default:
            skipped += 1
            return nil
        }
    }

    /// A customer as identity holds it: merged-away ids merge into their survivor, erased ones
    /// are erased, the others' profile, identifiers and consents join their view.
    private mutating func foldIdentitySnapshot(_ record: SnapshotRecord) throws -> String? {
        let state = try record.decode(IdentitySnapshot.CustomerState.self)
        if state.status == .merged, let survivor = state.mergedInto {
            return merge(state.customerId, into: survivor) ?? view(of: survivor)?.customerId
        }
        if state.status == .erased { return erase(state.customerId) }
        let id = target(state.customerId)
        views[id]!.status = state.status
        views[id]!.displayName = state.displayName
        views[id]!.locale = state.locale
        views[id]!.preferredChannel = state.preferredChannel
        views[id]!.quietHours = state.quietHours
        for identifier in state.identifiers {
            views[id]!.link(CustomerView.KnownIdentifier(
                kind: identifier.kind, value: identifier.value, channel: identifier.channel, verified: identifier.verified))
        }
        for consent in state.consents { views[id]!.record(consent) }
        return id
    }

    /// A customer's cart and orders as the orders service holds them.
    private mutating func foldOrdersSnapshot(_ record: SnapshotRecord) throws -> String? {
        let state = try record.decode(OrdersSnapshot.CustomerState.self)
        guard let id = liveTarget(state.customerId) else { return nil }
        if let cart = state.cart, cart.asOf > views[id]!.cart?.asOf ?? 0 { views[id]!.cart = cart }
        for order in state.orders {
            orderHolders[order.orderId] = id
            views[id]!.orders.removeAll { $0.orderId == order.orderId }
            views[id]!.add(order)
        }
        return id
    }
}
