import AsyncAlgorithms
import Logging
import OmnibusContracts
import OmnibusService
import ServiceLifecycle

/// Sends what the outbox has due, `concurrency` at a time: claim (a transaction), send
/// (none), record (a transaction). Rule timers fire in the claim. Runs until graceful
/// shutdown, finishing the batch in flight so that nothing is sent without being recorded
/// unless the process dies.
final class DeliveryWorker: Service, Sendable {
    private let queue: DeliveryQueue
    private let settings: DeliverySettings
    private let store: EventStore
    private let logger: Logger

    init(queue: DeliveryQueue, settings: DeliverySettings, store: EventStore, logger: Logger) {
        self.queue = queue
        self.settings = settings
        self.store = store
        self.logger = logger
    }

    func run() async throws {
        let (adapters, client) = settings.makeAdapters(logger: logger)
        do {
            try await store.database.pool.write { [queue] db in try queue.prepare(in: db) }
            for await _ in AsyncTimerSequence(interval: settings.pollInterval, clock: .continuous).cancelOnGracefulShutdown() {
                while await deliverBatch(adapters) == settings.concurrency, !Task.isShuttingDownGracefully, !Task.isCancelled {}
            }
        } catch {
            logger.error("deliveries stopped", metadata: ["error": "\(error)"])
        }
        for adapter in adapters.values { try? await adapter.shutdown() }
        try await client.shutdown()
    }

    /// One claim, send and record; returns how many were claimed.
    private func deliverBatch(_ adapters: [NotificationChannel: any DeliveryAdapter]) async -> Int {
        do {
            let batch = try await store.database.pool.write { [queue, store, settings] db in
                try queue.claim(limit: settings.concurrency, emitter: store.emitter(in: db, correlationId: "deliveries"))
            }
            guard !batch.isEmpty else { return 0 }
            let outcomes = await withTaskGroup(of: DeliveryQueue.Outcome.self) { group in
                for delivery in batch {
                    group.addTask {
                        guard let adapter = adapters[delivery.channel] else {
                            return (delivery, DeliveryError.transient("no \(delivery.channel.rawValue) adapter"))
                        }
                        do {
                            try await adapter.deliver(delivery)
                            return (delivery, nil)
                        } catch {
                            return (delivery, error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // The window the docs promise to cover: sent, not yet recorded.
            FaultInjection.killIfArmed("notifications.after-send")
            try await store.database.pool.write { [queue, store] db in
                try queue.record(outcomes, emitter: store.emitter(in: db, correlationId: "deliveries"))
            }
            for (delivery, error) in outcomes where error != nil {
                logger.warning("delivery failed", metadata: ["deliveryId": "\(delivery.deliveryId)", "attempt": "\(delivery.attempt)",
                                                              "error": "\(error.map { "\($0)" } ?? "")"])
            }
            return batch.count
        } catch {
            logger.error("delivery round failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
