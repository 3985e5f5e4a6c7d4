import AsyncAlgorithms
import Logging
import OmnibusContracts
import ServiceLifecycle

/// Forgets stored command replies older than the retention (``CommandServer/Options/replyRetention``),
/// once at start and then every minute, from a timer that stops on graceful shutdown. A
/// request id whose reply is gone counts as new again.
final class ReplyPruner: Service, Sendable {
    private let store: EventStore
    private let retention: Duration
    private let interval: Duration
    private let logger: Logger

    init(store: EventStore, retention: Duration, interval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        await prune()
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            await prune()
        }
    }

    private func prune() async {
        let cutoff = Timestamp.now().millisecondsSince1970 - retention.wholeMilliseconds
        do {
            let removed = try await store.database.pool.write { db in try CommandReplyStore.prune(recordedBefore: cutoff, in: db) }
            if removed > 0 { logger.info("pruned stored command replies", metadata: ["removed": "\(removed)"]) }
        } catch {
            logger.error("pruning stored command replies failed", metadata: ["error": "\(error)"])
        }
    }
}
