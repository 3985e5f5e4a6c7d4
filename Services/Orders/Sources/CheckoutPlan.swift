import Foundation
import GRDB
import OmnibusContracts

/// Everything a checkout needs, fixed when it starts and stored with it, so that a step
/// run after a restart does exactly what the first attempt would have done.
struct CheckoutPlan: Codable, Sendable {
    struct Item: Codable, Sendable {
        var sku: String
        var quantity: Int
        var unitPriceMinor: Int64
        /// For campaigns limited to products (absent in plans stored before coupons).
        var productId: String?
    }

    /// The coupon a checkout applies, and what the coupons service answered once it has.
    struct Coupon: Codable, Sendable {
        var code: String
        var redemptionId: String?
        var discountMinor: Int64?
    }

    var checkoutId: String
    var orderId: String
    var customerId: String
    var fulfilment: Fulfilment.Kind
    /// The store that reserves and hands over the items.
    var storeId: String
    /// Personal data; dropped from the stored plan once the checkout has ended.
    var address: ShippingAddress?
    var currency: String
    var items: [Item]
    var channel: String?
    /// True when the items come from the customer's cart (which is then emptied).
    var fromCart: Bool
    var replacesOrderId: String?
    /// A checkout with a coupon waits on the coupons service for two of its steps.
    var coupon: Coupon?
    /// The request that started a checkout with a coupon, whose reply it owes.
    var requestId: String?

    /// The items' total, less the coupon's discount once known.
    var totalMinor: Int64 { items.reduce(0) { $0 + $1.unitPriceMinor * Int64($1.quantity) } - (coupon?.discountMinor ?? 0) }

    /// The coupon as the order shows it, once reserved.
    var appliedCoupon: AppliedCoupon? {
        guard let coupon, let redemptionId = coupon.redemptionId, let discount = coupon.discountMinor else { return nil }
        return AppliedCoupon(code: coupon.code, redemptionId: redemptionId, discount: Money(amountMinor: discount, currency: currency))
    }

    /// What the coupons service prices the coupon against.
    var basket: Basket {
        Basket(lines: items.map {
            BasketLine(sku: $0.sku, productId: $0.productId, quantity: $0.quantity, unitPrice: Money(amountMinor: $0.unitPriceMinor, currency: currency))
        })
    }

    var eventItems: [OrdersEvent.CartItem] {
        items.map { OrdersEvent.CartItem(sku: $0.sku, quantity: $0.quantity,
                                         unitPrice: Money(amountMinor: $0.unitPriceMinor, currency: currency), channel: channel) }
    }
}

/// Where a stored checkout stands.
enum CheckoutStatus: String, Codable {
    /// Steps remain; a checkout found so at start-up is resumed or compensated.
    case running
    case completed
    /// Undone: what its completed steps did was reversed.
    case compensated
}

/// A row of `checkout`.
struct CheckoutRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "checkout"
    var id: String
    var customerId: String
    var status: CheckoutStatus
    var completedSteps: Int
    var plan: Data
    var failure: String?
    var createdAt: Int64
    var updatedAt: Int64
    /// Set for a checkout with a coupon: the request it answers.
    var requestId: String?
    /// Set for a checkout with a coupon: its order, held while the checkout runs.
    var orderId: String?
}

/// A row of `couponRelease`: a coupon a failed checkout may hold at the coupons service,
/// to give back (delivered until coupons answers).
struct CouponReleaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "couponRelease"
    var checkoutId: String
    var plan: Data
    var reason: String
    var createdAt: Int64
}
