import Foundation
import OmnibusBus
import OmnibusContracts
import ServiceLifecycle

/// One long-lived connection to a service's command endpoint, for any number of tasks at
/// once: what a front end or a tool keeps for its lifetime (as swift-kafka-client's
/// producer is kept).
///
/// It is a `Service`: ``run()`` owns one DEALER socket on a thread of its own until the
/// task is cancelled or a graceful shutdown begins; run it in a `ServiceGroup`, or use
/// ``withClient(endpoint:context:channel:options:_:)`` for a scoped one. Requests sent
/// before it runs wait for it. Many requests are in flight at once and replies are matched
/// by request id; a request without a reply is resent with the same id (so the service
/// applies it once) until its timeout, then throws `unavailable`. Cancelling the calling
/// task abandons the request: it throws `CancellationError`, and a late reply is dropped.
public final class CommandClient: Service, Sendable {
    public struct Options: Sendable {
        /// How long a request waits for its reply, resends included.
        public var timeout: Duration = .seconds(5)
        /// How long to wait for a reply before sending the same request again.
        public var resendAfter: Duration = .seconds(1)
        /// The largest reply accepted; libzmq drops a larger one (the request then times out).
        public var maxReplyBytes = 64 << 20
        /// The name of the socket's thread, as `top -H` shows it (15 characters at most).
        public var threadName = "command-client"
        public init() {}
    }

    private let endpoint: String
    private let context: ZMQContext
    /// The channel requests come from unless a call names another (a front end is one channel).
    public let channel: String?
    private let options: Options
    private let pending = PendingRequests()
    private let wake: WakeSignal

    public init(endpoint: String, context: ZMQContext, channel: String? = nil, options: Options = Options()) throws {
        self.endpoint = endpoint
        self.context = context
        self.channel = channel
        self.options = options
        wake = try WakeSignal()
    }

    /// Sends `command` and returns its reply's data, or throws the reply's error (an
    /// ``OmnibusError``). Retrying by hand after `unavailable` must reuse `id`: the service
    /// then answers its first reply again and applies nothing twice.
    public func send<Command: CommandContract>(
        _ command: Command, id: String = RequestId.random(), channel: String? = nil, correlationId: String? = nil,
        timeout: Duration? = nil
    ) async throws -> Command.Reply {
        try await reply(to: command, id: id, channel: channel, correlationId: correlationId, timeout: timeout).get()
    }

    /// Sends `command` and returns its whole reply, successful or not.
    public func reply<Command: CommandContract>(
        to command: Command, id: String = RequestId.random(), channel: String? = nil, correlationId: String? = nil,
        timeout: Duration? = nil
    ) async throws -> CommandReply<Command.Reply> {
        try await send(CommandRequest(command, id: id, channel: channel ?? self.channel, correlationId: correlationId),
                       timeout: timeout)
    }

    /// Sends a request built by hand (any command name, as `omnibus send` does) and decodes
    /// its reply's data as `Output`.
    public func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ request: CommandRequest<Input>, expecting: Output.Type = Output.self, timeout: Duration? = nil
    ) async throws -> CommandReply<Output> {
        let reply = try await exchange(id: request.id, body: ContractCoding.encode(request), timeout: timeout ?? options.timeout)
        do {
            return try ContractCoding.decode(CommandReply<Output>.self, from: reply)
        } catch {
            throw OmnibusError(.internal, "reply to \(request.command) did not decode: \(ContractCoding.explain(error))")
        }
    }

    /// Sends `command` with `data`, JSON the caller has already checked is exactly one value,
    /// as it is: a gateway forwarding a body does not decode and re-encode it. Returns the
    /// reply's bytes as the service encoded them.
    public func replyBytes(command: String, id: String, channel: String?, actingFor: String? = nil, rawData data: some Collection<UInt8>,
                           timeout: Duration? = nil) async throws -> Data {
        var request: [UInt8] = []
        request.reserveCapacity(data.count + 128)
        request += Array(#"{"id":"#.utf8)
        JSONStringRun.appendLiteral(id, to: &request)
        request += Array(#","command":"#.utf8)
        JSONStringRun.appendLiteral(command, to: &request)
        request += Array(#","version":1"#.utf8)
        if let channel {
            request += Array(#","channel":"#.utf8)
            JSONStringRun.appendLiteral(channel, to: &request)
        }
        if let actingFor {
            request += Array(#","actingFor":"#.utf8)
            JSONStringRun.appendLiteral(actingFor, to: &request)
        }
        request += Array(#","data":"#.utf8)
        request += data
        request.append(UInt8(ascii: "}"))
        return try await exchange(id: id, body: Data(request), timeout: timeout ?? options.timeout)
    }

    /// Runs a client for the length of `body`: for a tool or test that asks a few things
    /// and moves on.
    public static func withClient<Result: Sendable>(
        endpoint: String, context: ZMQContext, channel: String? = nil, options: Options = Options(),
        _ body: (CommandClient) async throws -> Result
    ) async throws -> Result {
        let client = try CommandClient(endpoint: endpoint, context: context, channel: channel, options: options)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Sends one command on a client of its own and returns its whole reply.
    public static func reply<Command: CommandContract>(
        to command: Command, at endpoint: String, context: ZMQContext, id: String = RequestId.random(),
        channel: String? = nil, timeout: Duration = .seconds(5)
    ) async throws -> CommandReply<Command.Reply> {
        try await withClient(endpoint: endpoint, context: context) { client in
            try await client.reply(to: command, id: id, channel: channel, timeout: timeout)
        }
    }

    /// Sends one request built by hand on a client of its own and returns its whole reply.
    public static func send<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ request: CommandRequest<Input>, to endpoint: String, context: ZMQContext, timeout: Duration = .seconds(5),
        expecting: Output.Type = Output.self
    ) async throws -> CommandReply<Output> {
        try await withClient(endpoint: endpoint, context: context) { client in
            try await client.send(request, expecting: Output.self, timeout: timeout)
        }
    }

    /// Owns the socket until cancelled or shut down gracefully; then every request still
    /// waiting throws `unavailable`, and new ones are refused.
    public func run() async throws {
        let stop = StopSignal()
        defer {
            for request in pending.stop() {
                request.continuation.resume(throwing: OmnibusError(.unavailable, "the command client stopped; retry with the same id"))
            }
        }
        // Stopping wakes the socket's thread at once rather than at its next poll timeout.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await DedicatedThread.run(name: options.threadName, stop: stop) { try self.loop(until: stop) }
            } onGracefulShutdown: {
                stop.stop()
                self.wake.wake()
            }
        } onCancel: {
            stop.stop()
            wake.wake()
        }
    }

    private func exchange(id: String, body: Data, timeout: Duration) async throws -> Data {
        // The service answers an invalid id with an unmatchable reply; say so at once instead.
        guard RequestId.isValid(id) else {
            throw OmnibusError(.invalidRequest, "a request id is 1 to 128 bytes; got \(id.utf8.count)")
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
                let now = ContinuousClock.now
                let request = PendingRequests.Request(
                    body: body, continuation: continuation, timeout: timeout, deadline: now + timeout,
                    resendAt: now + options.resendAfter)
                if let refusal = pending.add(id: id, request) {
                    continuation.resume(throwing: refusal)
                } else if Task.isCancelled {
                    // Cancelled before the request was registered: the handler found nothing to take.
                    pending.remove(id)?.continuation.resume(throwing: CancellationError())
                } else {
                    wake.wake()
                }
            }
        } onCancel: {
            pending.remove(id)?.continuation.resume(throwing: CancellationError())
        }
    }

    private func loop(until stop: StopSignal) throws {
        let dealer = try ZMQSocket(context: context, type: .dealer)
        try dealer.setMaxMessageSize(bytes: Int64(options.maxReplyBytes))
        try dealer.connect(endpoint)
        var nextCheck = ContinuousClock.now
        while !stop.isStopped {
            let wait = max(0, min(Int((nextCheck - .now).wholeMilliseconds), stopCheckMilliseconds))
            let readable = try ZMQPoller.poll([dealer], wakingOn: wake, timeoutMilliseconds: wait)
            if readable[1] { wake.clear() }
            let unsent = pending.takeUnsent()
            // A send refused by the high-water mark is resent with the others that are due.
            for body in unsent.bodies { try dealer.send([body], wait: false) }
            // A new request may be due sooner than what was waited for; looking through every
            // request at each send instead cost a third of this thread when pipelining.
            if let soonest = unsent.soonest { nextCheck = min(nextCheck, soonest) }
            if readable[0] {
                while let frames = try dealer.receive(wait: false) {
                    guard let reply = frames.last, let id = Self.requestId(of: reply) else { continue }
                    pending.remove(id)?.continuation.resume(returning: reply)
                }
            }
            let now = ContinuousClock.now
            guard now >= nextCheck else { continue }
            let due = pending.due(at: now, resendInterval: options.resendAfter)
            for request in due.expired {
                request.continuation.resume(throwing: OmnibusError(
                    .unavailable, "no reply within \(request.timeout); retry with the same id"))
            }
            for body in due.resend { try dealer.send([body], wait: false) }
            nextCheck = due.next ?? now + .milliseconds(stopCheckMilliseconds)
        }
    }

    /// The request id a reply answers. Services write it first (`{"requestId":"…"`), so
    /// it is read without parsing the reply, unless it holds an escape.
    static func requestId(of reply: Data) -> String? {
        PlainJSONString.following(replyPrefix, in: reply, atStart: true)
            ?? (try? ContractCoding.decode(CommandReply<SkippedPayload>.self, from: reply))?.requestId
    }

    private static let replyPrefix = Array(#"{"requestId":""#.utf8)
}

/// How often a socket loop (the client's, and the service runtime's) looks at its stop
/// signal when nothing else wakes it.
package let stopCheckMilliseconds = 100
