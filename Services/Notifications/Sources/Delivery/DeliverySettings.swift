import AsyncHTTPClient
import Foundation
import Logging
import OmnibusContracts

/// Where deliveries go: the SMTP server for e-mail, a provider webhook per other channel, and
/// how hard to retry. A channel with nothing configured keeps its notifications queued
/// (never lost) until a start that configures it.
public struct DeliverySettings: Sendable {
    public var smtp: SMTPConfiguration?
    /// Provider URLs for `sms`, `push` and `messenger`.
    public var webhooks: [NotificationChannel: String]
    /// The HMAC-SHA256 key the webhooks are signed with.
    public var webhookSecret: Data
    public var retry: RetryPolicy
    /// Deliveries in flight at once.
    public var concurrency: Int
    /// How often the outbox is looked at when it had nothing due.
    public var pollInterval: Duration

    public init(smtp: SMTPConfiguration? = nil, webhooks: [NotificationChannel: String] = [:], webhookSecret: Data = Data(),
                retry: RetryPolicy = RetryPolicy(), concurrency: Int = 32, pollInterval: Duration = .milliseconds(50)) {
        self.smtp = smtp
        self.webhooks = webhooks
        self.webhookSecret = webhookSecret
        self.retry = retry
        self.concurrency = concurrency
        self.pollInterval = pollInterval
    }

    /// The channels that have an adapter.
    public var deliverable: Set<NotificationChannel> {
        Set(webhooks.keys).subtracting([.inApp, .email]).union(smtp == nil ? [] : [.email])
    }

    /// The adapters, with the HTTP client they share (shut down by the caller when done).
    func makeAdapters(logger: Logger) -> (adapters: [NotificationChannel: any DeliveryAdapter], client: HTTPClient) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, concurrency))
        // Following a redirect would turn the signed POST into a GET without its body.
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var adapters: [NotificationChannel: any DeliveryAdapter] = [:]
        for (channel, url) in webhooks where channel != .inApp && channel != .email {
            adapters[channel] = WebhookAdapter(url: url, secret: webhookSecret, client: client)
        }
        if let smtp { adapters[.email] = SMTPAdapter(configuration: smtp, logger: logger) }
        return (adapters, client)
    }
}
