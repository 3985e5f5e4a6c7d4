import Foundation
import OmnibusBus
import OmnibusContracts

/// Sends commands to one service's command endpoint from the calling thread, blocking until
/// the matching reply: for load generators that run a thread per client, and for tests that
/// speak the wire protocol frame by frame (``sendRaw(_:)``). Everyone else wants
/// ``CommandClient``.
///
/// A DEALER socket, so it is confined to the thread that made it (not `Sendable`). A reply
/// that does not come within the timeout throws `unavailable`; sending the same request
/// again (same id) is then safe, because services apply each request id once. A late reply
/// to an earlier request is recognised by its id and discarded.
public final class BlockingCommandClient {
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
        _ command: Command, id: String = RequestId.random(), channel: String? = nil, correlationId: String? = nil
    ) throws -> Command.Reply {
        try reply(to: command, id: id, channel: channel, correlationId: correlationId).get()
    }

    /// Sends `command` and returns its whole reply, successful or not.
    public func reply<Command: CommandContract>(
        to command: Command, id: String = RequestId.random(), channel: String? = nil, correlationId: String? = nil
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
