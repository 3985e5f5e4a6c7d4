import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService

/// Sends commands to a service's command endpoint over a real DEALER socket, from a
/// thread of its own.
public struct CommandSender: Sendable {
    public let endpoint: String
    public let context: ZMQContext
    public let timeoutMilliseconds: Int

    /// `timeoutMilliseconds` bounds only a failing test: a service answering beside dozens of
    /// others starting on two cores (a test run's first seconds) can take longer than 5 s.
    public init(endpoint: String, context: ZMQContext, timeoutMilliseconds: Int = 30_000) {
        self.endpoint = endpoint
        self.context = context
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Sends a command and returns the whole reply (ok or error).
    public func send<Command: CommandContract>(
        _ command: Command, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> CommandReply<Command.Reply> {
        try await CommandClient.reply(to: command, at: endpoint, context: context, id: id, channel: channel,
                                      timeout: .milliseconds(timeoutMilliseconds))
    }

    /// Sends a command and returns its data, throwing the reply's error if any.
    public func call<Command: CommandContract>(
        _ command: Command, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> Command.Reply {
        try await send(command, channel: channel, id: id).get()
    }

    /// Sends `data` as the command named `name`, as a client that does not use the contract
    /// types would (bad input, unknown commands), and returns the reply with its data as JSON.
    public func sendRaw(
        _ name: String, _ data: JSONValue, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> CommandReply<JSONValue> {
        try await CommandClient.send(
            CommandRequest(id: id, command: name, channel: channel, data: data), to: endpoint, context: context,
            timeout: .milliseconds(timeoutMilliseconds), expecting: JSONValue.self)
    }

    /// The service's health report.
    public func health() async throws -> HealthReport {
        try await call(GetHealth())
    }
}

/// A test's handle on a running service: anything with a ``CommandSender`` gets `send`,
/// `call` and `sendRaw` with the same defaults.
public protocol CommandTarget {
    var commands: CommandSender { get }
}

extension CommandTarget {
    /// Sends a command and returns the whole reply (ok or error).
    public func send<Command: CommandContract>(
        _ command: Command, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> CommandReply<Command.Reply> {
        try await commands.send(command, channel: channel, id: id)
    }

    /// Sends a command and returns its data, throwing the reply's error if any.
    public func call<Command: CommandContract>(
        _ command: Command, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> Command.Reply {
        try await commands.call(command, channel: channel, id: id)
    }

    /// Sends `data` as the command named `name` and returns the reply with its data as JSON.
    public func sendRaw(
        _ name: String, _ data: JSONValue, channel: String? = "app", id: String = UUID().uuidString
    ) async throws -> CommandReply<JSONValue> {
        try await commands.sendRaw(name, data, channel: channel, id: id)
    }
}
