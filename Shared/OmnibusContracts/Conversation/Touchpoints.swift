/// What a customer did that gives an agent or a bot context: an ad clicked, a product seen,
/// a search, a store visited, a link opened from an e-mail.
public enum TouchpointKind: String, Codable, Sendable, CaseIterable {
    case adClick = "ad_click"
    case productView = "product_view"
    case search
    case storeVisit = "store_visit"
    case emailLink = "email_link"
}

/// One touchpoint, as recorded.
public struct Touchpoint: Codable, Sendable, Equatable {
    public var touchpointId: String
    public var customerId: String
    public var kind: TouchpointKind
    /// The channel it happened on (`instagram`, `web`, `store`, …).
    public var channel: String?
    public var at: Timestamp
    /// The ad campaign clicked.
    public var campaign: String?
    public var productId: String?
    public var sku: String?
    /// What the customer saw of the product: colour, size, …
    public var attributes: [String: String]?
    /// The price shown.
    public var price: Money?
    /// What was searched for.
    public var query: String?
    public var storeId: String?
    public init(touchpointId: String, customerId: String, kind: TouchpointKind, channel: String?, at: Timestamp, campaign: String?,
                productId: String?, sku: String?, attributes: [String: String]?, price: Money?, query: String?, storeId: String?) {
        self.touchpointId = touchpointId
        self.customerId = customerId
        self.kind = kind
        self.channel = channel
        self.at = at
        self.campaign = campaign
        self.productId = productId
        self.sku = sku
        self.attributes = attributes
        self.price = price
        self.query = query
        self.storeId = storeId
    }
}

/// `conversation.touchpoint.record`: records a touchpoint on the request's channel.
public struct RecordTouchpoint: CommandContract {
    public typealias Reply = Touchpoint
    public static let name = "conversation.touchpoint.record"

    public var customerId: String
    public var kind: TouchpointKind
    public var campaign: String?
    public var productId: String?
    public var sku: String?
    public var attributes: [String: String]?
    public var price: Money?
    public var query: String?
    public var storeId: String?
    public init(customerId: String, kind: TouchpointKind, campaign: String? = nil, productId: String? = nil, sku: String? = nil,
                attributes: [String: String]? = nil, price: Money? = nil, query: String? = nil, storeId: String? = nil) {
        self.customerId = customerId
        self.kind = kind
        self.campaign = campaign
        self.productId = productId
        self.sku = sku
        self.attributes = attributes
        self.price = price
        self.query = query
        self.storeId = storeId
    }
}

/// `conversation.touchpoint.list` (a query): the customer's touchpoints, newest first.
public struct ListTouchpoints: QueryContract {
    public typealias Reply = TouchpointList
    public static let name = "conversation.touchpoint.list"

    public var customerId: String
    public var limit: Int?
    public init(customerId: String, limit: Int? = nil) {
        self.customerId = customerId
        self.limit = limit
    }
}

/// The reply to ``ListTouchpoints``.
public struct TouchpointList: Codable, Sendable, Equatable {
    public var customerId: String
    public var touchpoints: [Touchpoint]
    public init(customerId: String, touchpoints: [Touchpoint]) {
        self.customerId = customerId
        self.touchpoints = touchpoints
    }
}
