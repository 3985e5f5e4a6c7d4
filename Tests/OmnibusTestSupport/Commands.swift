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

    public init(endpoint: String, context: ZMQContext, timeoutMilliseconds: Int = 5_000) {
        self.endpoint = endpoint
        self.context = context
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Sends a command and returns the whole reply (ok or error).
    public func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ command: String, _ data: Input, channel: String? = "app", id: String = UUID().uuidString,
        expecting: Output.Type = Output.self
    ) async throws -> CommandReply<Output> {
        try await CommandClient.send(
            CommandRequest(id: id, command: command, channel: channel, data: data), to: endpoint, context: context,
            timeoutMilliseconds: timeoutMilliseconds, expecting: Output.self)
    }

    /// Sends a command and returns its data, throwing the reply's error if any.
    public func call<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ command: String, _ data: Input, channel: String? = "app", id: String = UUID().uuidString,
        expecting: Output.Type = Output.self
    ) async throws -> Output {
        try await send(command, data, channel: channel, id: id, expecting: Output.self).get()
    }

    /// The service's health report.
    public func health() async throws -> HealthReport {
        try await call(healthCommand, Empty())
    }
}

/// A test's handle on a running service: anything with a ``CommandSender`` gets `send` and
/// `call` with the same defaults.
public protocol CommandTarget {
    var commands: CommandSender { get }
}

extension CommandTarget {
    /// Sends a command and returns the whole reply (ok or error).
    public func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ command: String, _ data: Input, channel: String? = "app", id: String = UUID().uuidString,
        expecting: Output.Type = Output.self
    ) async throws -> CommandReply<Output> {
        try await commands.send(command, data, channel: channel, id: id, expecting: Output.self)
    }

    /// Sends a command and returns its data, throwing the reply's error if any.
    public func call<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ command: String, _ data: Input, channel: String? = "app", id: String = UUID().uuidString,
        expecting: Output.Type = Output.self
    ) async throws -> Output {
        try await commands.call(command, data, channel: channel, id: id, expecting: Output.self)
    }
}
