import Foundation
import OmnibusBus
import OmnibusContracts

/// Sends commands to one service's command endpoint and waits for the matching reply.
///
/// A DEALER socket, so it is confined to the thread that made it (not `Sendable`). A reply
/// that does not come within the timeout throws `unavailable`; sending the same request
/// again (same id) is then safe, because services apply each request id once. A late reply
/// to an earlier request is recognised by its id and discarded.
public final class CommandClient {
    private let socket: ZMQSocket
    /// How long ``send(_:)`` waits for a reply.
    public var timeoutMilliseconds: Int

    public init(context: ZMQContext, endpoint: String, timeoutMilliseconds: Int = 5000) throws {
        socket = try ZMQSocket(context: context, type: .dealer)
        try socket.setMaxMessageSize(bytes: 64 << 20)
        try socket.connect(endpoint)
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Sends `command` and returns its reply's data, or throws the reply's error (an
    /// ``OmnibusError``). A retry must reuse `id`: the service then answers its first reply
    /// again and applies nothing twice.
    public func send<Command: CommandContract>(
        _ command: Command, id: String = UUID().uuidString, channel: String? = nil, correlationId: String? = nil
    ) throws -> Command.Reply {
        try reply(to: command, id: id, channel: channel, correlationId: correlationId).get()
    }

    /// Sends `command` and returns its whole reply, successful or not.
    public func reply<Command: CommandContract>(
        to command: Command, id: String = UUID().uuidString, channel: String? = nil, correlationId: String? = nil
    ) throws -> CommandReply<Command.Reply> {
        try send(CommandRequest(command, id: id, channel: channel, correlationId: correlationId))
    }

    /// Sends a request built by hand (any command name, as `omnibus send` does) and decodes
    /// its reply's data as `Output`.
    public func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ request: CommandRequest<Input>, expecting: Output.Type = Output.self
    ) throws -> CommandReply<Output> {
        let reply = try exchange(ContractCoding.encode(request), requestId: request.id)
        do {
            return try ContractCoding.decode(CommandReply<Output>.self, from: reply)
        } catch {
            throw OmnibusError(.internal, "reply to \(request.command) did not decode: \(ContractCoding.explain(error))")
        }
    }

    /// Sends one command from a thread of its own (a DEALER blocks while it waits, which a
    /// cooperative thread must not) and returns its whole reply: for tools and tests that
    /// ask once and move on.
    public static func reply<Command: CommandContract>(
        to command: Command, at endpoint: String, context: ZMQContext, id: String = UUID().uuidString,
        channel: String? = nil, timeoutMilliseconds: Int = 5000
    ) async throws -> CommandReply<Command.Reply> {
        try await send(CommandRequest(command, id: id, channel: channel), to: endpoint, context: context,
                       timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Sends a request built by hand from a thread of its own and returns the whole reply.
    public static func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ request: CommandRequest<Input>, to endpoint: String, context: ZMQContext, timeoutMilliseconds: Int = 5000,
        expecting: Output.Type = Output.self
    ) async throws -> CommandReply<Output> {
        try await DedicatedThread.run(name: "command-\(request.command)", stop: StopSignal()) {
            try CommandClient(context: context, endpoint: endpoint, timeoutMilliseconds: timeoutMilliseconds)
                .send(request, expecting: Output.self)
        }
    }

    /// Sends raw frames and returns the next reply's frames, or nil after the timeout.
    /// For tools and tests that speak the wire protocol directly.
    public func sendRaw(_ frames: [Data]) throws -> [Data]? {
        try socket.send(frames)
        guard try socket.waitForInput(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return try socket.receive()
    }

    private func exchange(_ body: Data, requestId: String) throws -> Data {
        try socket.send([body])
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while true {
            let milliseconds = Int((deadline - ContinuousClock.now).wholeMilliseconds)
            guard milliseconds > 0, try socket.waitForInput(timeoutMilliseconds: milliseconds), let frames = try socket.receive() else {
                throw OmnibusError(.unavailable, "no reply within \(timeoutMilliseconds) ms; retry with the same id")
            }
            guard let reply = frames.last,
                  let header = try? ContractCoding.decode(CommandReply<SkippedPayload>.self, from: reply)
            else { continue }
            if header.requestId == requestId || header.requestId.isEmpty { return reply }
        }
    }
}
