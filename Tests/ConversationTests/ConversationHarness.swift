import ConversationService
import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport

/// A real conversation service in the test process beside a real identity service (both
/// with their own SQLite files, commands over real sockets), conversation consuming identity.
final class ConversationHarness: CommandTarget, Sendable {
    let identity: InProcessIdentity
    let directory: TemporaryDirectory
    let service: RunningRuntime
    let context: ZMQContext

    var commands: CommandSender { CommandSender(endpoint: service.endpoints.commands, context: context) }
    var databasePath: String { directory.file("conversation.sqlite") }

    private init(identity: InProcessIdentity, directory: TemporaryDirectory, service: RunningRuntime, context: ZMQContext) {
        self.identity = identity
        self.directory = directory
        self.service = service
        self.context = context
    }

    static func start(options: ConversationService.Options = ConversationService.Options()) async throws -> ConversationHarness {
        let context = try ZMQContext()
        let identity = try await InProcessIdentity.start(context: context)
        do {
            let directory = try TemporaryDirectory()
            let service = try await RunningRuntime.start(ConversationService.name, in: directory, sources: [identity.service.asSource], context: context) {
                try ConversationService.makeRuntime(configuration: $0, options: options, context: $1, logger: $2)
            }
            return ConversationHarness(identity: identity, directory: directory, service: service, context: context)
        } catch {
            try await identity.stop()
            throw error
        }
    }

    func stop(remove: Bool = true) async throws {
        try await service.stop()
        try await identity.stop()
        if remove { directory.remove() }
    }

    static func with<Result>(
        options: ConversationService.Options = ConversationService.Options(), _ body: (ConversationHarness) async throws -> Result
    ) async throws -> Result {
        try await scoped(try await start(options: options), stop: { try await $0.stop() }, body)
    }

    /// A customer identity knows by `email`.
    func customer(_ email: String) async throws -> String {
        try await identity.resolve(.email, email, channel: "web")
    }

    func caughtUp() async throws { try await identity.waitUntilApplied(by: commands) }

    @discardableResult
    func say(_ text: String, from customerId: String, on channel: String, direction: MessageDirection = .inbound,
             caseId: String? = nil) async throws -> Message {
        try await call(RecordMessage(customerId: customerId, direction: direction, text: text, caseId: caseId), channel: channel)
    }
}
