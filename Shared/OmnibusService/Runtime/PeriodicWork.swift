import AsyncAlgorithms
import Logging
import ServiceLifecycle

/// Work a service does on a timer rather than on a command — releasing lapsed reservations,
/// say — in its own write transaction (events it emits are published like a command's).
/// Runs once when the service starts, then every `interval`, until graceful shutdown; a
/// failing run is logged and tried again at the next tick.
public struct PeriodicWork: Sendable {
    /// Names the work in logs.
    public var name: String
    public var interval: Duration
    /// Runs in one write transaction; returns how many things it did, for the log (0 logs nothing).
    public var work: @Sendable (TransactionEmitter) throws -> Int

    public init(name: String, interval: Duration, work: @escaping @Sendable (TransactionEmitter) throws -> Int) {
        self.name = name
        self.interval = interval
        self.work = work
    }
}

/// Runs one ``PeriodicWork`` as a `Service` of the runtime.
final class PeriodicWorker: Service, Sendable {
    private let periodic: PeriodicWork
    private let store: EventStore
    private let logger: Logger

    init(_ periodic: PeriodicWork, store: EventStore, logger: Logger) {
        self.periodic = periodic
        self.store = store
        self.logger = logger
    }

    func run() async throws {
        await runOnce()
        for await _ in AsyncTimerSequence(interval: periodic.interval, clock: .continuous).cancelOnGracefulShutdown() {
            await runOnce()
        }
    }

    private func runOnce() async {
        do {
            let done = try await store.database.pool.write { [periodic, store] db in
                try periodic.work(store.emitter(in: db, correlationId: periodic.name))
            }
            if done > 0 { logger.info("periodic work done", metadata: ["work": "\(periodic.name)", "count": "\(done)"]) }
        } catch {
            logger.error("periodic work failed", metadata: ["work": "\(periodic.name)", "error": "\(error)"])
        }
    }
}
