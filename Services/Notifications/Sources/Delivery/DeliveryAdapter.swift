import OmnibusContracts

/// One message on its way to the customer: what a channel's adapter sends.
struct OutgoingDelivery: Sendable, Equatable {
    /// The same on every attempt (it is the notification's id): receivers deduplicate on it.
    var deliveryId: String
    var customerId: String
    var ruleId: String
    var channel: NotificationChannel
    /// The e-mail address or phone number (nil for channels addressed by customer, such as push).
    var address: String?
    var subject: String
    var body: String
    var locale: String
    /// 1 on the first try.
    var attempt: Int
}

/// Why a delivery did not go through: `permanent` ones are not tried again.
struct DeliveryError: Error, CustomStringConvertible {
    var permanent: Bool
    var reason: String
    var description: String { reason }

    static func transient(_ reason: String) -> DeliveryError { DeliveryError(permanent: false, reason: reason) }
    static func permanent(_ reason: String) -> DeliveryError { DeliveryError(permanent: true, reason: reason) }
}

/// Sends a delivery on one channel; returns when the receiver accepted it, throws a
/// ``DeliveryError`` (or any error, taken as transient) when it did not.
protocol DeliveryAdapter: Sendable {
    func deliver(_ delivery: OutgoingDelivery) async throws
    /// Releases connections and threads; the adapter is not used after.
    func shutdown() async throws
}
