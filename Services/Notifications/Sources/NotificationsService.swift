import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The notifications service: domain events turned into messages to the customer, on the
/// channel they prefer and consented to, in their language, at an hour they accept, once.
public enum NotificationsService {
    /// The service's (and its event source's) name.
    public static let name = NotificationsEvent.source
    /// The services whose events notifications consumes (identity for how to reach the customer).
    public static let sources = [IdentityEvent.source]
    /// Consumed too, for the rules, when the configuration names them.
    public static let optionalSources = [OrdersEvent.source, CouponsEvent.source, ConversationEvent.source]

    /// What the service runs with besides its endpoints.
    public struct Options: Sendable {
        public var rules: NotificationRules
        public var delivery: DeliverySettings
        public var clock: NotificationsClock

        public init(rules: NotificationRules, delivery: DeliverySettings = DeliverySettings(), clock: NotificationsClock = .system) {
            self.rules = rules
            self.delivery = delivery
            self.clock = clock
        }

        var dispatch: Dispatch { Dispatch(rules: rules, clock: clock, deliverable: delivery.deliverable) }
    }

    /// Every command notifications takes (besides the runtime's `service.health` and `service.metrics`).
    public static func commands() -> CommandRegistry {
        var registry = CommandRegistry()
        NotificationLogs.register(in: &registry)
        return registry
    }

    /// Every event notifications consumes.
    static func events(dispatch: Dispatch) -> EventHandlerRegistry {
        var registry = EventHandlerRegistry()
        Contacts.register(in: &registry)
        dispatch.register(in: &registry)
        return registry
    }

    /// The composition root, used by `main` and by tests.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, options: Options, context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the notifications service must be named \(name)")
        let dispatch = options.dispatch
        return try ServiceRuntime(
            configuration: configuration, commands: commands(), events: events(dispatch: dispatch),
            migrations: NotificationsMigrations.register(in:), snapshot: NotificationLogSnapshot.provider,
            processes: { parts in
                [DeliveryWorker(queue: DeliveryQueue(dispatch: dispatch, retry: options.delivery.retry), settings: options.delivery,
                                store: parts.store, logger: parts.logger)]
            },
            context: context, logger: logger)
    }
}
