/// One customer as every channel shows them: profile, identifiers, consent and
/// preferences (identity), cart and orders (orders), coupons (coupons), touchpoints and
/// cases (conversation), notifications (notifications). Built only by ``CustomerViews``, a
/// pure fold over events, so two channels that have seen the same events show the same
/// customer, field for field.
public struct CustomerView: Codable, Sendable, Equatable {
    public var customerId: String
    public var status: CustomerStatus
    /// Personal data: nil once erased or redacted.
    public var displayName: String?
    public var locale: String?
    /// Sorted by kind, then value.
    public var identifiers: [KnownIdentifier]
    /// The latest decision per purpose and channel, sorted; defaults are not listed.
    public var consents: [ConsentState]
    public var preferredChannel: ContactChannel?
    public var quietHours: QuietHours?
    /// Ids merged into this customer, sorted.
    public var mergedIds: [String]
    /// The cart as of its latest event; nil before the first one.
    public var cart: Cart?
    /// Newest first (by their place in the orders service's log).
    public var orders: [Order]
    /// The wallet's coupons and the shared codes the customer used, by code.
    public var coupons: [Coupon]
    /// The newest touchpoints (ads clicked, products seen, …), newest first, at most
    /// ``ConversationCommand/touchpointsInView``.
    public var touchpoints: [Touchpoint]
    /// The customer's cases, newest first.
    public var cases: [Case]
    /// What the customer was sent, on which channel, or why not (notifications), newest first.
    public var notifications: [Notification]
    /// Per source, the sequence of the last event folded into this view.
    public var seen: [String: Int64]

    public init(customerId: String) {
        self.customerId = customerId
        status = .provisional
        identifiers = []
        consents = []
        mergedIds = []
        orders = []
        coupons = []
        touchpoints = []
        cases = []
        notifications = []
        seen = [:]
    }

    /// An identifier the customer is known by.
    public struct KnownIdentifier: Codable, Sendable, Equatable {
        public var kind: IdentifierKind
        /// Nil once redacted by erasure.
        public var value: String?
        public var channel: String?
        public var verified: Bool
    }

    /// The cart: version and lines, as the orders service last announced them.
    public struct Cart: Codable, Sendable, Equatable {
        public var version: Int64
        public var items: [OrdersEvent.CartItem]
        /// The orders log position of the event this cart comes from; the later one wins
        /// when two customers' carts meet in a merge.
        public var asOf: Int64

        public init(version: Int64, items: [OrdersEvent.CartItem], asOf: Int64) {
            self.version = version
            self.items = items
            self.asOf = asOf
        }
    }

    /// An order as the orders service announced it.
    public struct Order: Codable, Sendable, Equatable {
        public var orderId: String
        /// The orders log position of `order.placed`, which orders the list.
        public var placedSequence: Int64
        public var status: OrderStatus
        public var fulfilment: Fulfilment.Kind
        public var storeId: String?
        public var items: [OrdersEvent.CartItem]
        public var total: Money?
        public var replacesOrderId: String?
        public var returns: [Return]

        public init(orderId: String, placedSequence: Int64, status: OrderStatus, fulfilment: Fulfilment.Kind, storeId: String?,
                    items: [OrdersEvent.CartItem], total: Money?, replacesOrderId: String?, returns: [Return]) {
            self.orderId = orderId
            self.placedSequence = placedSequence
            self.status = status
            self.fulfilment = fulfilment
            self.storeId = storeId
            self.items = items
            self.total = total
            self.replacesOrderId = replacesOrderId
            self.returns = returns
        }
    }

    /// A return recorded against an order.
    public struct Return: Codable, Sendable, Equatable {
        public var returnId: String
        public var sku: String
        public var quantity: Int
        public var resolution: ReturnResolution
        public var refund: Money
        public var replacementOrderId: String?

        public init(returnId: String, sku: String, quantity: Int, resolution: ReturnResolution, refund: Money,
                    replacementOrderId: String?) {
            self.returnId = returnId
            self.sku = sku
            self.quantity = quantity
            self.resolution = resolution
            self.refund = refund
            self.replacementOrderId = replacementOrderId
        }
    }

    /// A case as the conversation service last announced it.
    public struct Case: Codable, Sendable, Equatable {
        public var caseId: String
        public var status: CaseStatus
        public var priority: CasePriority
        public var assignee: String?
        public var followUpChannel: String?
        public var orderIds: [String]
        /// The conversation log position of `case.opened`, which orders the list.
        public var openedSequence: Int64?
        /// The conversation log position of the event this state comes from.
        public var asOf: Int64

        public init(caseId: String, status: CaseStatus, priority: CasePriority, assignee: String?, followUpChannel: String?,
                    orderIds: [String], openedSequence: Int64?, asOf: Int64) {
            self.caseId = caseId
            self.status = status
            self.priority = priority
            self.assignee = assignee
            self.followUpChannel = followUpChannel
            self.orderIds = orderIds
            self.openedSequence = openedSequence
            self.asOf = asOf
        }
    }

    /// A coupon as the coupons service last announced it.
    public struct Coupon: Codable, Sendable, Equatable {
        /// Normalised (no dashes).
        public var code: String
        public var campaignId: String
        /// `issued` (usable; also after a reservation was released), `reserved` or `redeemed`.
        public var state: CouponState
        /// From `coupon.issued`; nil for a shared code, or until that event is folded.
        public var issuedChannel: String?
        public var validUntil: Timestamp?
        /// The coupons log position of `coupon.issued`, if folded.
        public var issuedSequence: Int64?
        /// The coupons log position of the event `state` comes from; the later one wins
        /// when two customers' coupons meet in a merge.
        public var asOf: Int64

        public init(code: String, campaignId: String, state: CouponState, issuedChannel: String?, validUntil: Timestamp?,
                    issuedSequence: Int64?, asOf: Int64) {
            self.code = code
            self.campaignId = campaignId
            self.state = state
            self.issuedChannel = issuedChannel
            self.validUntil = validUntil
            self.issuedSequence = issuedSequence
            self.asOf = asOf
        }
    }
}
