import AsyncHTTPClient
import Foundation
import NIOCore
import OmnibusContracts

/// SMS, push and messenger through a provider's HTTP webhook: one signed JSON POST per try,
/// with the delivery id in a header and the body, the same on every retry.
final class WebhookAdapter: DeliveryAdapter {
    private let url: String
    private let secret: Data
    private let client: HTTPClient
    private let timeout: TimeAmount

    /// What the provider receives.
    struct Payload: Encodable {
        var deliveryId: String
        var channel: NotificationChannel
        var to: String?
        var customerId: String
        var ruleId: String
        var locale: String
        var subject: String
        var body: String
        var attempt: Int
    }

    init(url: String, secret: Data, client: HTTPClient, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.client = client
        self.timeout = TimeAmount(timeout)
    }

    func deliver(_ delivery: OutgoingDelivery) async throws {
        let body = try ContractCoding.encode(Payload(
            deliveryId: delivery.deliveryId, channel: delivery.channel, to: delivery.address, customerId: delivery.customerId,
            ruleId: delivery.ruleId, locale: delivery.locale, subject: delivery.subject, body: delivery.body, attempt: delivery.attempt))
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: WebhookSignature.deliveryIdHeader, value: delivery.deliveryId)
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw DeliveryError.transient("webhook \(url): \(error)")
        }
        // Drain the answer so the connection goes back to the pool; the status alone decides.
        do { for try await _ in response.body {} } catch {}
        switch response.status.code {
        case 200..<300: return
        case 408, 425, 429, 500..<600: throw DeliveryError.transient("webhook \(url) answered \(response.status.code)")
        // Redirects are not followed (a POST would become a bodiless GET): a provider must be configured at its real URL.
        default: throw DeliveryError.permanent("webhook \(url) refused it: \(response.status.code) \(response.status.reasonPhrase)")
        }
    }

    func shutdown() async throws {}
}
