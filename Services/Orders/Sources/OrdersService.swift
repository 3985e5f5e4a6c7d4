import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The orders service: catalog and prices, the cart that follows the customer, checkout,
/// click & collect, order lifecycle and returns.
public enum OrdersService {
    /// The service's (and its event source's) name.
    public static let name = OrdersEvent.source
    /// The services whose events orders consumes.
    public static let sources = [IdentityEvent.source]

    /// Every command orders takes (besides the runtime's `service.health`).
    public static func commands() -> CommandRegistry { commands(coupons: nil) }

    static func commands(coupons: CheckoutWakeup?) -> CommandRegistry {
        var registry = CommandRegistry()
        Catalog.register(in: &registry)
        CartCommands.register(in: &registry)
        OrderCommands.register(in: &registry, coupons: coupons)
        return registry
    }

    /// Every event orders consumes.
    public static func events() -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        IdentityReactions.register(in: &registry)
        return registry
    }

    /// How a started service treats what it finds on disk.
    public struct Options: Sendable {
        /// Loaded into an empty catalog (the first start); nil for none.
        public var seed: CatalogSeed?
        /// A checkout interrupted by a crash is finished at start-up if it began within this
        /// window, and compensated otherwise.
        public var resumeCheckoutsWithin: Duration = .seconds(15 * 60)
        /// The coupons service's command endpoint; nil: a checkout with a coupon is refused
        /// (`unavailable`).
        public var couponsEndpoint: String?
        /// How long a checkout waits for coupons to answer its reservation before it fails
        /// (and gives the coupon back).
        public var couponWait: Duration = .seconds(10)
        public init(seed: CatalogSeed? = nil) { self.seed = seed }
    }

    /// The composition root, used by `main` and by tests: the runtime with orders'
    /// commands, identity reactions and tables, its catalog seeded on first start and any
    /// interrupted checkout resumed or compensated before it takes commands; with a coupons
    /// endpoint, the process that runs checkouts applying a coupon.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, options: Options = Options(), context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the orders service must be named \(name)")
        let wakeup = options.couponsEndpoint.map { _ in CheckoutWakeup() }
        let runtime = try ServiceRuntime(
            // A cart add rewrites its cart's and its line's pages, scattered over the tables,
            // beside the log's tail: 2 KiB pages took pipelined adds from ~15,000/s to ~19,000/s
            // (docs/PERFORMANCE.md); the bus benchmark's append-only log preferred 4 KiB.
            configuration: configuration, databasePageSize: 2048, commands: commands(coupons: wakeup), events: events(),
            migrations: OrdersMigrations.register(in:), snapshot: CustomerOrdersSnapshot.provider,
            processes: { parts in
                guard let endpoint = options.couponsEndpoint, let wakeup else { return [] }
                return [CouponCheckouts(
                    store: parts.store, replies: parts.deferredReplies, context: context,
                    options: CouponCheckouts.Options(endpoint: endpoint, couponWait: options.couponWait,
                                                     resumeWindow: options.resumeCheckoutsWithin), wakeup: wakeup,
                    logger: parts.logger)]
            },
            context: context, logger: logger)
        let store = runtime.store
        if let seed = options.seed {
            let loaded = try store.write(correlationId: "catalog-seed") { emitter in
                try Catalog.loadSeed(seed, emitter: emitter)
            }
            if loaded { logger.notice("catalog seeded", metadata: ["products": "\(seed.products.count)", "stores": "\(seed.stores.count)"]) }
        }
        try CheckoutProcess.recover(store: store, resumeWindow: options.resumeCheckoutsWithin,
                                    couponsConfigured: options.couponsEndpoint != nil, logger: logger)
        return runtime
    }

    /// Reads a catalog seed file (deploy/catalog.json).
    public static func loadSeed(path: String) throws -> CatalogSeed {
        do {
            return try ContractCoding.decode(CatalogSeed.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw OmnibusError(.invalidArgument, "\(path) is not a catalog seed: \(ContractCoding.explain(error))")
        }
    }
}
