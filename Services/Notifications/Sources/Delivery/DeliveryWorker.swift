import AsyncAlgorithms
import Logging
import OmnibusContracts
import OmnibusService
import ServiceLifecycle

/// Sends what the outbox has due, per channel `concurrency` at a time: claim (a transaction),
/// send (none), record (a transaction); and fires the rule timers. Runs until graceful
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
            // One loop per channel, so that a slow e-mail server holds up no SMS; and the timers'.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.fireTimers() }
                for (channel, adapter) in adapters {
                    group.addTask { await self.deliver(channel, with: adapter) }
                }
            }
        } catch {
            logger.error("deliveries stopped", metadata: ["error": "\(error)"])
        }
        for adapter in adapters.values { try? await adapter.shutdown() }
        try await client.shutdown()
    }

    /// Fires the rule timers as they fall due, until graceful shutdown.
    private func fireTimers() async {
        for await _ in AsyncTimerSequence(interval: settings.pollInterval, clock: .continuous).cancelOnGracefulShutdown() {
            do {
                while try await store.database.pool.write({ [queue, store] db in
                    try queue.fireTimers(limit: 256, emitter: store.emitter(in: db, correlationId: "rule-timers"))
                }) == 256, !Task.isShuttingDownGracefully {}
            } catch {
                logger.error("rule timers failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Claims, sends and records `channel`'s due deliveries until graceful shutdown.
    private func deliver(_ channel: NotificationChannel, with adapter: any DeliveryAdapter) async {
        for await _ in AsyncTimerSequence(interval: settings.pollInterval, clock: .continuous).cancelOnGracefulShutdown() {
            while await deliverBatch(channel, adapter) == settings.concurrency, !Task.isShuttingDownGracefully, !Task.isCancelled {}
        }
    }

    /// One claim, send and record; returns how many were claimed.
    private func deliverBatch(_ channel: NotificationChannel, _ adapter: any DeliveryAdapter) async -> Int {
        do {
            let batch = try await store.database.pool.write { [queue, store, settings] db in
                try queue.claim(channel, limit: settings.concurrency, emitter: store.emitter(in: db, correlationId: "deliveries"))
            }
            guard !batch.isEmpty else { return 0 }
            let outcomes = await withTaskGroup(of: DeliveryQueue.Outcome.self) { group in
                for delivery in batch {
                    group.addTask {
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
