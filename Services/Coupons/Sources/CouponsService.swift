import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The coupons service: campaigns, personal coupons in the customer's wallet, validation
/// against a basket, reservations for checkouts, and redemptions that happen at most once.
public enum CouponsService {
    /// The service's (and its event source's) name.
    public static let name = CouponsEvent.source
    /// The services whose events coupons consumes.
    public static let sources = [IdentityEvent.source, OrdersEvent.source]
    /// Consumed too when the configuration names them.
    public static let optionalSources = [ConversationEvent.source]

    /// How a started service behaves.
    public struct Options: Sendable {
        /// Loaded into an empty campaign table (the first start); nil for none.
        public var seed: CampaignSeed?
        /// How long a reservation holds a coupon when the request does not say.
        public var defaultHoldSeconds = CouponsCommand.defaultHoldSeconds
        /// How often lapsed reservations are released (and announced).
        public var lapseSweepInterval: Duration = .seconds(1)
        public init(seed: CampaignSeed? = nil) { self.seed = seed }
    }

    /// Every command coupons takes (besides the runtime's `service.health` and `service.metrics`).
    public static func commands(defaultHoldSeconds: Int = CouponsCommand.defaultHoldSeconds) -> CommandRegistry {
        var registry = CommandRegistry()
        Campaigns.register(in: &registry)
        Coupons.register(in: &registry)
        Redemptions.register(in: &registry, defaultHoldSeconds: defaultHoldSeconds)
        return registry
    }

    /// Every event coupons consumes.
    public static func events() -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        IdentityReactions.register(in: &registry)
        OrdersReactions.register(in: &registry)
        ConversationReactions.register(in: &registry)
        return registry
    }

    /// The composition root, used by `main` and by tests: the runtime with coupons'
    /// commands, reactions and tables, its campaigns seeded on first start, and a sweep that
    /// releases lapsed reservations.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, options: Options = Options(), context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the coupons service must be named \(name)")
        let sweep = PeriodicWork(name: "release-lapsed-reservations", interval: options.lapseSweepInterval) { emitter in
            try Redemptions.releaseLapsed(at: Timestamp.now().millisecondsSince1970, emitter: emitter)
        }
        let runtime = try ServiceRuntime(
            configuration: configuration, commands: commands(defaultHoldSeconds: options.defaultHoldSeconds), events: events(),
            migrations: CouponsMigrations.register(in:), snapshot: WalletSnapshot.provider, periodic: [sweep],
            context: context, logger: logger)
        if let seed = options.seed {
            let loaded = try runtime.store.write(correlationId: "campaign-seed") { emitter in
                try Campaigns.loadSeed(seed, emitter: emitter)
            }
            if loaded { logger.notice("campaigns seeded", metadata: ["campaigns": "\(seed.campaigns.count)"]) }
        }
        return runtime
    }

    /// Reads a campaign seed file (deploy/campaigns.json).
    public static func loadSeed(path: String) throws -> CampaignSeed {
        do {
            return try ContractCoding.decode(CampaignSeed.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw OmnibusError(.invalidArgument, "\(path) is not a campaign seed: \(ContractCoding.explain(error))")
        }
    }
}
