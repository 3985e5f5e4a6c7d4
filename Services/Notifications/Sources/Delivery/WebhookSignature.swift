import Crypto
import Foundation
import OmnibusWire

/// How a webhook request is signed, so that the provider can tell it came from Omnibus and
/// was not replayed late: `Omnibus-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
/// with `Omnibus-Timestamp: <unix seconds>`. Receivers recompute it, compare in constant time,
/// and refuse old timestamps (docs/NOTIFICATIONS.md).
public enum WebhookSignature {
    public static let signatureHeader = "Omnibus-Signature"
    public static let timestampHeader = "Omnibus-Timestamp"
    /// The same on every retry of one delivery: receivers deduplicate on it.
    public static let deliveryIdHeader = "Omnibus-Delivery-Id"

    /// `v1=<hex>` for `body` sent at `timestamp`.
    public static func sign(body: some DataProtocol, timestamp: Int64, secret: some DataProtocol) -> String {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: Data(secret)))
        authenticator.update(data: Data("\(timestamp).".utf8))
        authenticator.update(data: Data(body))
        return "v1=" + HexEncoding.lowercase(authenticator.finalize())
    }

    /// Whether `signature` is the one for `body` at `timestamp` (compared in constant time).
    public static func verify(_ signature: String, body: some DataProtocol, timestamp: Int64, secret: some DataProtocol) -> Bool {
        let expected = sign(body: body, timestamp: timestamp, secret: secret)
        guard signature.utf8.count == expected.utf8.count else { return false }
        return zip(signature.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
