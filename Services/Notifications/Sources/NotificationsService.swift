import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The notifications service: domain events turned into messages to the customer, on the
/// channel they prefer and consented to, in their language, once.
public enum NotificationsService {
    /// The service's (and its event source's) name.
    public static let name = NotificationsEvent.source
    /// The services whose events notifications consumes (identity for how to reach the customer).
    public static let sources = [IdentityEvent.source]
    /// Consumed too, for the rules, when the configuration names them.
    public static let optionalSources = [OrdersEvent.source, CouponsEvent.source, ConversationEvent.source]

    /// Every command notifications takes (besides the runtime's `service.health` and `service.metrics`).
    public static func commands() -> CommandRegistry {
        var registry = CommandRegistry()
        NotificationLogs.register(in: &registry)
        return registry
    }

    /// Every event notifications consumes.
    public static func events(rules: NotificationRules) -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        Contacts.register(in: &registry)
        Dispatch.register(in: &registry, rules: rules)
        return registry
    }

    /// The composition root, used by `main` and by tests.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, rules: NotificationRules, context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the notifications service must be named \(name)")
        return try ServiceRuntime(
            configuration: configuration, commands: commands(), events: events(rules: rules),
            migrations: NotificationsMigrations.register(in:), context: context, logger: logger)
    }
}
