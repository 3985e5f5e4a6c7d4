import ArgumentParser
import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NotificationsService
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService

/// `omnibus-bench notifications`: events turned into queued notifications, and deliveries to a
/// local HTTP provider, through a real notifications service (its SQLite file, the shipped
/// rules and templates) fed over the bus by stand-in identity and orders publishers.
struct NotificationsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "Measure events → queued notifications/s and webhook deliveries/s with --in-flight in flight.",
        discussion: """
            Identity's events give --customers customers a phone and SMS as their preferred channel. Then \
            --events order.placed events are committed to the orders publisher's log, and the time until \
            notifications has applied them all (each one a rendered, queued notification with its events) gives \
            events/s, beside a service that applies the same events with no handler (the runtime's ceiling). \
            Notifications starts again with an SMS webhook to a loopback HTTP endpoint in this process; \
            the time until every delivery is recorded 'sent' gives deliveries/s (each a claim, a signed POST and \
            the record). The reference is the same POSTs sent straight with async-http-client.
            """)

    @Option(help: "order.placed events, each making one notification.")
    var events = 20_000

    @Option(help: "Customers the orders are spread over.")
    var customers = 1_000

    @Option(help: "Deliveries in flight at once.")
    var inFlight = 32

    @Option(help: "The rules folder.")
    var rules = "deploy/notifications"

    func validate() throws {
        guard events > 0, customers > 0, inFlight > 0 else { throw ValidationError("every count must be positive") }
    }

    func run() async throws {
        let loaded = try NotificationRules.load(directory: rules)
        let context = try ZMQContext(ioThreads: 1)
        let identity = try await BenchedService.start(IdentityEvent.source, context: context) { try ServiceRuntime(configuration: $0, context: $1, logger: $2) }
        let orders = try await BenchedService.start(OrdersEvent.source, context: context) { try ServiceRuntime(configuration: $0, context: $1, logger: $2) }
        defer { identity.removeFiles(); orders.removeFiles() }
        let directory = NSTemporaryDirectory() + "omnibus-bench-notifications-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print("omnibus-bench notifications: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(events) events, \(inFlight) in flight")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: identity.directory).text)

        try Self.giveCustomersPhones(customers, in: identity.runtime.store)
        let sources = [identity.service.asSource, orders.service.asSource]
        let queueing = try await Self.startNotifications(directory, sources: sources, context: context,
                                                          options: .init(rules: loaded))
        try await Self.waitUntilApplied(identity, by: queueing)
        let start = ContinuousClock.now
        try Self.placeOrders(events, customers: customers, in: orders.runtime.store)
        try await Self.waitUntilApplied(orders, by: queueing)
        let queuedSeconds = (ContinuousClock.now - start).secondsValue
        let queued = try await Self.count("status = 'queued' AND channel = 'sms'", in: queueing)
        try await queueing.service.stop()
        guard queued == events else { throw ValidationError("\(queued) notifications queued of \(events)") }
        let queuedRate = Double(events) / queuedSeconds
        let bare = try await Self.bareApplyRate(of: orders, events: events, context: context)
        report("events → queued notifications", "\(format(queuedRate))/s, \(String(format: "%.2f", queuedRate / bare))× the bare runtime")
        report("the same events, no handler (runtime)", "\(format(bare))/s")

        let sink = try await HTTPSink.start()
        let url = "http://127.0.0.1:\(sink.port)/sms"
        let delivery = DeliverySettings(webhooks: [.sms: url], webhookSecret: Data("bench-signing-key-0123456789".utf8), concurrency: inFlight,
                                        pollInterval: .milliseconds(5))
        let deliveryStart = ContinuousClock.now
        let delivering = try await Self.startNotifications(directory, sources: sources, context: context,
                                                            options: .init(rules: loaded, delivery: delivery))
        try await poll("every delivery recorded as sent") {
            try await Self.count("status = 'sent' AND channel = 'sms'", in: delivering) == events
        }
        let deliveredSeconds = (ContinuousClock.now - deliveryStart).secondsValue
        try await delivering.service.stop()
        guard sink.received == events else { throw ValidationError("the endpoint had \(sink.received) requests for \(events) deliveries") }
        let deliveries = Double(events) / deliveredSeconds

        let raw = try await Self.rawPosts(events, to: url, inFlight: inFlight)
        report("deliveries (claim, signed POST, record)", "\(format(deliveries))/s, \(String(format: "%.2f", deliveries / raw))× raw POSTs")
        report("raw POSTs (async-http-client, no DB)", "\(format(raw))/s")
        try await sink.stop()
        try await identity.service.stop()
        try await orders.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    static func startNotifications(_ directory: String, sources: [SubscriptionSource], context: ZMQContext,
                                   options: NotificationsService.Options) async throws -> BenchedService {
        try await BenchedService.start(NotificationsService.name, sources: sources, directory: directory, context: context) {
            try NotificationsService.makeRuntime(configuration: $0, options: options, context: $1, logger: $2)
        }
    }

    /// Identity's events for `count` customers reached by SMS.
    static func giveCustomersPhones(_ count: Int, in store: EventStore) throws {
        try store.write(correlationId: "bench") { emitter in
            for index in 0..<count {
                let customerId = "cus_bench-\(index)"
                _ = try emitter.emit(IdentityEvent.IdentifierLinked(customerId: customerId, kind: .phone, value: "+39333\(1_000_000 + index)",
                                                                    channel: "app", verified: true), customerId: customerId)
                _ = try emitter.emit(IdentityEvent.PreferencesChanged(customerId: customerId, preferredChannel: .sms, quietHours: nil),
                                     customerId: customerId)
            }
        }
    }

    /// `count` orders of a bag (no rule but order-placed reacts), committed a thousand at a time.
    static func placeOrders(_ count: Int, customers: Int, in store: EventStore) throws {
        let price = Money(amountMinor: 4_999, currency: "EUR")
        for batch in stride(from: 0, to: count, by: 1_000) {
            try store.write(correlationId: "bench") { emitter in
                for index in batch..<min(count, batch + 1_000) {
                    let customerId = "cus_bench-\(index % customers)"
                    _ = try emitter.emit(OrdersEvent.OrderPlaced(
                        orderId: "ord_bench-\(index)", customerId: customerId, fulfilment: .pickup, storeId: "berlin",
                        items: [OrdersEvent.CartItem(sku: "bag-black", quantity: 1, unitPrice: price, channel: "web")], total: price,
                        replacesOrderId: nil), customerId: customerId)
                }
            }
        }
    }

    static func waitUntilApplied(_ source: BenchedService, by consumer: BenchedService) async throws {
        let name = source.runtime.store.source
        let head = try await source.runtime.store.database.pool.read { db in try Outbox.head(in: db) }
        try await poll("\(consumer.runtime.store.source) to apply \(name) through \(head)") {
            consumer.runtime.subscriber?.progress[name]?.applied ?? 0 >= head
        }
    }

    /// Events/s a service that does nothing with them applies from `source`'s log (read from
    /// the start, committed, offsets kept): the runtime's own ceiling, the reference for the
    /// notifications phase.
    static func bareApplyRate(of source: BenchedService, events: Int, context: ZMQContext) async throws -> Double {
        let start = ContinuousClock.now
        let bare = try await BenchedService.start("bare", sources: [source.service.asSource], context: context) { configuration, context, logger in
            var handlers = EventHandlerRegistry()
            handlers.ignoreUnhandled(OrdersEvent.all)
            return try ServiceRuntime(configuration: configuration, events: handlers, context: context, logger: logger)
        }
        defer { bare.removeFiles() }
        try await waitUntilApplied(source, by: bare)
        let seconds = (ContinuousClock.now - start).secondsValue
        try await bare.service.stop()
        return Double(events) / seconds
    }

    static func count(_ condition: String, in service: BenchedService) async throws -> Int {
        try await service.runtime.store.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification WHERE \(condition)") ?? 0 }
    }

    /// POSTs/s of a delivery-sized body straight to the endpoint, `inFlight` at a time.
    static func rawPosts(_ count: Int, to url: String, inFlight: Int) async throws -> Double {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, inFlight))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let body = ByteBuffer(string: String(repeating: "x", count: 300))
        let start = ContinuousClock.now
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<inFlight {
                    group.addTask {
                        for _ in stride(from: worker, to: count, by: inFlight) {
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.body = .bytes(body)
                            let response = try await client.execute(request, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 1024)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        let seconds = (ContinuousClock.now - start).secondsValue
        try await client.shutdown()
        return Double(count) / seconds
    }
}
