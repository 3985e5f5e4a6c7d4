import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The identity service: who the customer is, across every channel. Other services and
/// front ends key their data by the customer ids it hands out.
public enum IdentityService {
    /// The service's (and its event source's) name.
    public static let name = IdentityEvent.source

    /// Every command identity takes (besides the runtime's `service.health`).
    public static func commands() -> CommandRegistry {
        var registry = CommandRegistry()
        ResolveCommands.register(in: &registry)
        Merging.register(in: &registry)
        ProfileCommands.register(in: &registry)
        ErasureCommand.register(in: &registry)
        return registry
    }

    /// The composition root, used by `main` and by tests: identity consumes no other
    /// service's events, so it is the runtime with identity's commands and tables.
    public static func makeRuntime(
        configuration: ServiceRuntime.Configuration, context: ZMQContext, logger: Logger
    ) throws -> ServiceRuntime {
        precondition(configuration.name == name, "the identity service must be named \(name)")
        return try ServiceRuntime(
            configuration: configuration, commands: commands(),
            migrations: IdentityMigrations.register(in:), snapshot: CustomerSnapshot.provider, context: context, logger: logger)
    }
}
