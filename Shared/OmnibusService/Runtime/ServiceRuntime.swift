import GRDB
import Logging
import Metrics
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import Prometheus
import ServiceLifecycle
import Synchronization

/// Everything one Omnibus service runs besides its domain: the database, the publisher
/// relay, the replay endpoint, the command endpoint and (if it consumes anything) the
/// subscriber. A service's `main` builds one of these and runs ``services`` in a
/// `ServiceGroup`; tests build the same with temporary files and ephemeral ports.
public final class ServiceRuntime: Sendable {
    public struct Configuration: Sendable {
        /// The service's name, which is also its event source name.
        public var name: String
        public var databasePath: String
        public var endpoints: ServiceEndpoints
        /// The services whose events this one consumes.
        public var sources: [SubscriptionSource] = []
        public var relay = PublisherRelay.Options()
        public var replay = ReplayServer.Options()
        public var commands = CommandServer.Options()
        public var subscriber = EventSubscriber.Options()
        public var metricsFactory: any MetricsFactory = MetricsSystem.factory
        /// The registry `service.metrics` answers from (see ``MetricsExposition``); without
        /// one that query answers `unavailable`.
        public var metricsRegistry: PrometheusCollectorRegistry?
        /// Past this size the WAL is emptied by a TRUNCATE checkpoint (see ``WALCheckpointer``).
        public var walTruncateAboveBytes = 64 << 20
        /// Below this much free space on the database's filesystem, state-changing commands
        /// are refused with `unavailable` (queries and replay go on); 0 turns the check off.
        public var minimumFreeBytes: Int64 = 64 << 20
        /// How much of the event log is kept (see ``EventRetention``).
        public var retention = EventRetention.standard
        /// How often the log is trimmed to ``retention``.
        public var trimInterval: Duration = .seconds(10)
        /// How often stored replies are pruned to their age and size limits (``CommandServer/Options``).
        public var replyPruneInterval: Duration = .seconds(60)
        /// Who may connect and what each principal may do; nil: no authentication (the
        /// context must then be plaintext too). With it, the context needs ``ZMQContext/curve``.
        public var access: BusAccess?

        public init(name: String, databasePath: String, endpoints: ServiceEndpoints) {
            self.name = name
            self.databasePath = databasePath
            self.endpoints = endpoints
        }
    }

    public let store: EventStore
    package let relay: PublisherRelay
    package let replayServer: ReplayServer
    package let commandServer: CommandServer
    /// Forgets stored command replies older than the retention, at start and every minute;
    /// a request id whose reply is gone counts as new again.
    let replyPruner: PeriodicWorker
    /// Present when the configuration names sources to consume.
    package let subscriber: EventSubscriber?
    /// Keeps the WAL small without making commits pay for it.
    package let checkpointer: WALCheckpointer
    /// Keeps the event log within its retention.
    package let trimmer: LogTrimmer
    let periodicWorkers: [PeriodicWorker]
    /// Replies of commands that wait on other services, for the service's own processes.
    public let deferredReplies: DeferredReplies
    /// The service's own long-running parts (``init``'s `processes`).
    let processes: [any Service]
    /// Authenticates every client of the three endpoints; bound in `init`, before they are.
    let authenticator: ZAPHandler?

    /// What a service's own long-running parts (``init``'s `processes`) work with.
    public struct Parts: Sendable {
        public let store: EventStore
        public let deferredReplies: DeferredReplies
        public let logger: Logger
    }

    /// Opens the database (running the runtime's and then the service's `migrations`) and
    /// wires the servers; `periodic` work and the service's own `processes` (made from the
    /// runtime's parts: a saga that calls other services, say) run beside them. A service
    /// whose state others keep part of serves it as a `snapshot` (see ``SnapshotProvider``).
    /// `databasePageSize` is the SQLite page size of a database this creates (an existing file
    /// keeps its own): every commit writes each page it changed whole, so a service whose
    /// commands change rows scattered over many pages writes less with smaller pages, while
    /// one that mostly appends to its log is best served by the default.
    /// Nothing binds or runs until ``services`` run.
    public init(
        configuration: Configuration,
        databasePageSize: Int = 4096,
        commands: CommandRegistry = CommandRegistry(),
        events: EventHandlerRegistry = EventHandlerRegistry(),
        migrations: (inout DatabaseMigrator) -> Void = { _ in },
        snapshot: SnapshotProvider? = nil,
        periodic: [PeriodicWork] = [],
        processes: (Parts) -> [any Service] = { _ in [] },
        context: ZMQContext,
        logger: Logger
    ) throws {
        let database = try ServiceDatabase(path: configuration.databasePath, pageSize: databasePageSize, migrations: migrations)
        let store = EventStore(source: configuration.name, database: database)
        let startedAt = try ServiceStarts.record(in: database)
        let metrics = MetricsRecorder(service: configuration.name, factory: configuration.metricsFactory)
        guard (configuration.access == nil) == (context.curve == nil) else {
            throw ConfigurationError("\(configuration.name): bus access and the context's CURVE keys go together; one is missing")
        }
        authenticator = try configuration.access?.startHandler(context: context, service: configuration.name, logger: logger, metrics: metrics)
        checkpointer = WALCheckpointer(
            path: configuration.databasePath, truncateAboveBytes: configuration.walTruncateAboveBytes, logger: logger,
            metrics: metrics)
        self.store = store
        trimmer = LogTrimmer(store: store, retention: configuration.retention, interval: configuration.trimInterval,
                             logger: logger, metrics: metrics)
        periodicWorkers = periodic.map { PeriodicWorker($0, store: store, logger: logger) }
        let deferredReplies = try DeferredReplies(metrics: metrics)
        self.deferredReplies = deferredReplies
        self.processes = processes(Parts(store: store, deferredReplies: deferredReplies, logger: logger))
        relay = PublisherRelay(store: store, endpoint: configuration.endpoints.events, context: context,
                               options: configuration.relay, logger: logger, metrics: metrics)
        replayServer = ReplayServer(store: store, snapshot: snapshot, endpoint: configuration.endpoints.replay, context: context,
                                    options: configuration.replay, logger: logger, metrics: metrics)
        subscriber = configuration.sources.isEmpty ? nil : EventSubscriber(
            store: store, sources: configuration.sources, registry: events, context: context,
            options: configuration.subscriber, logger: logger, metrics: metrics)
        let disk = DiskGuard(databasePath: configuration.databasePath, minimumFreeBytes: configuration.minimumFreeBytes,
                             metrics: metrics, logger: logger)
        var registry = commands
        registry.register(GetHealth.self) { [relay, subscriber] _, context in
            let reading = disk.read()
            let log = try Outbox.savedSize(in: context.db)
            return HealthReport(
                service: store.source, head: try Outbox.head(in: context.db), publishedThrough: relay.publishedThrough,
                subscriptions: subscriber?.progress ?? [:], deadLetters: try DeadLetter.count(in: context.db),
                pendingCompactions: try Erasure.pendingCompactions(in: context.db),
                startedAt: startedAt, startsPastHour: try ServiceStarts.pastHour(in: context.db),
                storage: StorageReport(freeBytes: reading.freeBytes, databaseBytes: reading.databaseBytes,
                                       minimumFreeBytes: disk.minimumFreeBytes, writesRefused: reading.isLow,
                                       eventLogBytes: log.bytes, oldestSequence: try Outbox.oldest(in: context.db)))
        }
        registry.register(GetMetrics.self) { [metricsRegistry = configuration.metricsRegistry] _, _ in
            _ = disk.read()  // so that a scrape sees current disk figures
            guard let metricsRegistry else {
                throw OmnibusError(.unavailable, "\(store.source) does not export metrics (no registry was bootstrapped in this process)")
            }
            return MetricsReport(service: store.source, text: metricsRegistry.emitToString())
        }
        DatabaseBackup.register(in: &registry, store: store, deferred: deferredReplies)
        let (retention, maxReplyBytes) = (configuration.commands.replyRetention, configuration.commands.maxStoredReplyBytes)
        let replyBytes = Mutex(CommandReplyStore.Size())
        replyPruner = PeriodicWorker(PeriodicWork(name: "prune-command-replies", interval: configuration.replyPruneInterval) { emitter in
            try replyBytes.withLock { size in
                try CommandReplyStore.prune(recordedBefore: Timestamp.now().millisecondsSince1970 - retention.wholeMilliseconds,
                                            maxBytes: maxReplyBytes, size: &size, in: emitter.db)
            }
        }, store: store, logger: logger)
        commandServer = CommandServer(store: store, registry: registry, deferred: deferredReplies, endpoint: configuration.endpoints.commands,
                                      context: context, options: configuration.commands, policy: configuration.access?.policy,
                                      disk: disk, logger: logger, metrics: metrics)
    }

    deinit { authenticator?.shutdown() }

    /// The long-running parts, in start order. A `ServiceGroup` stops them in reverse, so
    /// commands stop first and the relay last, after publishing what was committed.
    public var services: [any Service] {
        [checkpointer, trimmer, replyPruner, relay, replayServer] + (subscriber.map { [$0] } ?? []) + periodicWorkers + processes + [commandServer]
    }

    /// A group that runs ``services`` (after `extra`, which therefore stop last) and shuts
    /// down gracefully on SIGTERM and SIGINT.
    public func serviceGroup(
        logger: Logger, extra: [ServiceGroupConfiguration.ServiceConfiguration] = []
    ) -> ServiceGroup {
        ServiceGroup(configuration: .init(
            services: extra + services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    }
}
