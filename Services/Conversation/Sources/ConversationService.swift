import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The conversation service: what the customer and the brand said to each other on any
/// channel, in one conversation; the touchpoints that give an agent or a bot context; cases;
/// and the customer's context, folded from every service's events.
public enum ConversationService {
    /// The service's (and its event source's) name.
    public static let name = ConversationEvent.source
    /// The services whose events conversation consumes (for the context; identity also for
    /// merges, erasures and identifiers).
    public static let sources = [IdentityEvent.source]
    /// Consumed too, for the context, when the configuration names them.
    public static let optionalSources = [OrdersEvent.source, CouponsEvent.source, NotificationsEvent.source]

    /// Every command conversation takes (besides the runtime's `service.health` and `service.metrics`).
    public static func commands() -> CommandRegistry {
        var registry = CommandRegistry()
        Touchpoints.register(in: &registry)
        Messages.register(in: &registry)
        Cases.register(in: &registry)
        Context.register(in: &registry)
        return registry
    }

    /// Every event conversation consumes.
    public static func events() -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        Reactions.register(in: &registry)
        return registry
    }

    /// How a started service behaves.
    public struct Options: Sendable {
        /// How long a message from an identifier identity has not linked waits before it is
        /// dropped: identity may have linked and erased the identifier while this service was
        /// behind, and then nothing says whose the message was.
        public var waitingMessageRetention: Duration = .seconds(30 * 24 * 3600)
        /// How often such messages are looked for.
        public var waitingMessageSweep: Duration = .seconds(3600)
        public init() {}
    }

    /// The composition root, used by `main` and by tests.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, options: Options = Options(), context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the conversation service must be named \(name)")
        let sweep = PeriodicWork(name: "drop-unclaimed-messages", interval: options.waitingMessageSweep) { emitter in
            try Messages.dropUnclaimed(before: Timestamp.now().millisecondsSince1970 - options.waitingMessageRetention.wholeMilliseconds,
                                       in: emitter.db)
        }
        return try ServiceRuntime(
            configuration: configuration, commands: commands(), events: events(),
            migrations: ConversationMigrations.register(in:), snapshot: ConversationSnapshot.provider, periodic: [sweep],
            context: context, logger: logger)
    }
}
