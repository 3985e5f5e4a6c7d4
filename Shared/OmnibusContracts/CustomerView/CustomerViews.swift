import Foundation

/// Folds the bus's events into a ``CustomerView`` per customer. Pure and deterministic:
/// feed it each source's events in sequence order (any interleaving of sources) and it
/// ends in the same views. Events it does not know (other sources, unknown types, newer
/// major versions) are passed over and counted in ``skipped``, never a failure.
public struct CustomerViews: Sendable {
    var views: [String: CustomerView] = [:]
    /// Merged-away id → its final survivor.
    private var survivorOf: [String: String] = [:]
    /// Per source, the last sequence folded (an event's, or a snapshot's).
    var applied: [String: Int64] = [:]
    /// Order id → the customer it was placed under. An order's later events go to the view
    /// holding it, followed through merges, whatever customer id they name: one naming a
    /// merge's survivor may be folded before the merge that brings the order there.
    var orderHolders: [String: String] = [:]
    /// Events that were not understood (see the type's note).
    public internal(set) var skipped = 0

    public init() {}

    /// The view of `customerId`, or of the customer it was merged into.
    public func view(of customerId: String) -> CustomerView? {
        views[survivorOf[customerId] ?? customerId]
    }

    /// Every customer's view, by id.
    public var all: [String: CustomerView] { views }

    /// Folds one event (its envelope's JSON bytes). Returns the id of the view it changed,
    /// or nil when it changed none (not about a customer, a duplicate, not understood — a
    /// body that does not read as its type is counted in ``skipped`` too, so one bad event
    /// never stops a feed). Throws only when the envelope itself is unreadable.
    @discardableResult
    public mutating func apply(_ envelope: Data) throws -> String? {
        let header = try EventHeader.decode(from: envelope)
        guard header.sequence > applied[header.source] ?? 0 else { return nil }
        applied[header.source] = header.sequence
        let folded: String?
        do {
            folded = try fold(header, envelope)
        } catch {
            skipped += 1
            return nil
        }
        guard header.schemaVersion == 1, let changed = folded else {
            skipped += header.schemaVersion == 1 && Self.known.contains(header.topic) ? 0 : 1
            return nil
        }
        views[changed]?.seen[header.source] = header.sequence
        return changed
    }

    /// Event types folded or deliberately passed over (not about one customer's view).
    static let known: Set<String> = Set(
        (IdentityEvent.all + OrdersEvent.all + CouponsEvent.all + ConversationEvent.all + NotificationsEvent.all).map { $0.topic })

    private mutating func fold(_ header: EventHeader, _ bytes: Data) throws -> String? {
        switch header.source {
        case IdentityEvent.source: try foldIdentity(header.type, bytes)
        case OrdersEvent.source: try foldOrders(header.type, header.sequence, bytes)
        case CouponsEvent.source: try foldCoupons(header.type, header.sequence, bytes)
        case ConversationEvent.source: try foldConversation(header.type, header.sequence, bytes)
        case NotificationsEvent.source: try foldNotifications(header.type, header.sequence, bytes)
        default: nil
        }
    }

    func data<Payload: Codable & Sendable>(_ type: Payload.Type, _ bytes: Data) throws -> Payload {
        try ContractCoding.decode(EventEnvelope<Payload>.self, from: bytes).data
    }

    /// The id events about `id` now land on, with an empty view made if there is none.
    mutating func target(_ id: String) -> String {
        let current = survivorOf[id] ?? id
        if views[current] == nil { views[current] = CustomerView(customerId: current) }
        return current
    }

    private mutating func foldIdentity(_ type: String, _ bytes: Data) throws -> String? {
        switch type {
        case IdentityEvent.CustomerCreated.type:
            let event = try data(IdentityEvent.CustomerCreated.self, bytes)
            let id = target(event.customerId)
            views[id]!.status = event.status
            return id
        case IdentityEvent.ProfileUpdated.type:
            let event = try data(IdentityEvent.ProfileUpdated.self, bytes)
            let id = target(event.customerId)
            views[id]!.displayName = event.displayName
            views[id]!.locale = event.locale
            views[id]!.status = event.status
            return id
        case IdentityEvent.IdentifierLinked.type:
            let event = try data(IdentityEvent.IdentifierLinked.self, bytes)
            let id = target(event.customerId)
            views[id]!.link(CustomerView.KnownIdentifier(kind: event.kind, value: event.value, channel: event.channel, verified: event.verified))
            return id
        case IdentityEvent.ConsentChanged.type:
            let event = try data(IdentityEvent.ConsentChanged.self, bytes)
            let id = target(event.customerId)
            views[id]!.record(event.consent)
            return id
        case IdentityEvent.PreferencesChanged.type:
            let event = try data(IdentityEvent.PreferencesChanged.self, bytes)
            let id = target(event.customerId)
            views[id]!.preferredChannel = event.preferredChannel
            views[id]!.quietHours = event.quietHours
            return id
        case IdentityEvent.CustomersMerged.type:
            let event = try data(IdentityEvent.CustomersMerged.self, bytes)
            return merge(event.mergedId, into: event.survivorId)
        case IdentityEvent.CustomerErased.type:
            let event = try data(IdentityEvent.CustomerErased.self, bytes)
            return erase(event.customerId)
        default:
            return nil
        }
    }

    /// Keeps nothing of `customerId`'s view but the id and the merges; orders events about
    /// an erased customer are passed over, so the result does not depend on how identity's
    /// and orders' events were interleaved.
    mutating func erase(_ customerId: String) -> String {
        let id = target(customerId)
        var erased = CustomerView(customerId: id)
        erased.status = .erased
        erased.mergedIds = views[id]!.mergedIds
        views[id] = erased
        return id
    }

    /// The survivor takes over what the merged view knew; its own values win where both have one.
    mutating func merge(_ mergedId: String, into survivorId: String) -> String? {
        let survivor = target(survivorId)
        let merged = survivorOf[mergedId] ?? mergedId
        guard merged != survivor else { return nil }
        if let old = views.removeValue(forKey: merged) {
            views[survivor]!.absorb(old)
        }
        views[survivor]!.mergedIds = Array(Set(views[survivor]!.mergedIds + [merged])).sorted()
        for (id, final) in survivorOf where final == merged { survivorOf[id] = survivor }
        survivorOf[merged] = survivor
        return survivor
    }

    /// The live (not erased) view orders' or coupons' events about `customerId` land on, if any.
    mutating func liveTarget(_ customerId: String?) -> String? {
        guard let customerId else { return nil }
        let id = target(customerId)
        return views[id]!.status == .erased ? nil : id
    }

    private static let cartTypes = Set(OrdersEvent.cartEvents.map { $0.type })
    private static let statusTypes = Set(OrdersEvent.statusEvents.map { $0.type })

    private mutating func foldOrders(_ type: String, _ sequence: Int64, _ bytes: Data) throws -> String? {
        if Self.cartTypes.contains(type) {
            let event = try data(OrdersEvent.CartChanged.self, bytes)
            guard let id = liveTarget(event.customerId) else { return nil }
            views[id]!.cart = CustomerView.Cart(version: event.version, items: event.items, asOf: sequence)
            return id
        }
        switch type {
        case OrdersEvent.OrderPlaced.type:
            let event = try data(OrdersEvent.OrderPlaced.self, bytes)
            guard let id = liveTarget(event.customerId) else { return nil }
            orderHolders[event.orderId] = id
            views[id]!.orders.removeAll { $0.orderId == event.orderId }
            views[id]!.add(CustomerView.Order(
                orderId: event.orderId, placedSequence: sequence, status: .placed, fulfilment: event.fulfilment,
                storeId: event.storeId, items: event.items, total: event.total, replacesOrderId: event.replacesOrderId,
                returns: []))
            return id
        case OrdersEvent.OrderReturned.type:
            let event = try data(OrdersEvent.OrderReturned.self, bytes)
            guard let id = liveTarget(orderHolders[event.orderId] ?? event.customerId) else { return nil }
            views[id]!.updateOrder(event.orderId) { order in
                order.returns.append(CustomerView.Return(
                    returnId: event.returnId, sku: event.sku, quantity: event.quantity, resolution: event.resolution,
                    refund: event.refund, replacementOrderId: event.replacementOrderId))
            }
            return id
        default:
            guard Self.statusTypes.contains(type) else { return nil }
            let event = try data(OrdersEvent.OrderStatusChanged.self, bytes)
            guard let id = liveTarget(orderHolders[event.orderId] ?? event.customerId) else { return nil }
            views[id]!.updateOrder(event.orderId) { $0.status = event.status }
            return id
        }
    }
}

extension CustomerView {
    mutating func link(_ identifier: KnownIdentifier) {
        if let index = identifiers.firstIndex(where: { $0.kind == identifier.kind && $0.value == identifier.value }) {
            identifiers[index].verified = identifiers[index].verified || identifier.verified
        } else {
            identifiers.append(identifier)
            identifiers.sort { ($0.kind.rawValue, $0.value ?? "") < ($1.kind.rawValue, $1.value ?? "") }
        }
    }

    mutating func record(_ consent: ConsentState) {
        consents.removeAll { $0.purpose == consent.purpose && $0.channel == consent.channel }
        consents.append(consent)
        consents.sort { ($0.purpose.rawValue, $0.channel.rawValue) < ($1.purpose.rawValue, $1.channel.rawValue) }
    }

    /// Takes over a merged customer's identifiers, consents made later than ours, values we
    /// lack, and orders; the cart follows from the orders service's `cart.merged`.
    mutating func absorb(_ other: CustomerView) {
        for identifier in other.identifiers { link(identifier) }
        for consent in other.consents {
            let ours = consents.first { $0.purpose == consent.purpose && $0.channel == consent.channel }
            if ours == nil || (ours?.changedAt?.millisecondsSince1970 ?? 0) < (consent.changedAt?.millisecondsSince1970 ?? 0) {
                record(consent)
            }
        }
        displayName = displayName ?? other.displayName
        locale = locale ?? other.locale
        preferredChannel = preferredChannel ?? other.preferredChannel
        quietHours = quietHours ?? other.quietHours
        mergedIds = Array(Set(mergedIds + other.mergedIds)).sorted()
        for order in other.orders where !orders.contains(where: { $0.orderId == order.orderId }) { add(order) }
        for coupon in other.coupons { record(coupon) }
        for touchpoint in other.touchpoints { record(touchpoint) }
        for item in other.cases { record(item) }
        for notification in other.notifications { record(notification) }
        if let theirs = other.cart, theirs.asOf > cart?.asOf ?? 0 { cart = theirs }
        for (source, sequence) in other.seen { seen[source] = max(seen[source] ?? 0, sequence) }
    }

    /// Inserts `order` keeping the list newest first.
    mutating func add(_ order: Order) {
        let index = orders.firstIndex { $0.placedSequence < order.placedSequence } ?? orders.endIndex
        orders.insert(order, at: index)
    }

    mutating func updateOrder(_ orderId: String, _ change: (inout Order) -> Void) {
        guard let index = orders.firstIndex(where: { $0.orderId == orderId }) else { return }
        change(&orders[index])
    }
}
