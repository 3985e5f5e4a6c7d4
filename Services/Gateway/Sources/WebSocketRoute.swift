import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import OmnibusBus
import OmnibusClient
import OmnibusContracts

/// `GET /v1/ws`: the bus over one WebSocket, for clients that want a single socket for many
/// subscriptions. JSON text messages, each subscription resumable like an SSE stream:
///
///     → {"subscribe": {"id": "s1", "source": "orders", "type": "<type>", "customer": "…", "after": "orders:48"}}
///     ← {"subscribed": "s1"}
///     ← {"subscription": "s1", "id": "orders:49", "event": {<envelope>}}
///     → {"unsubscribe": "s1"}
///     ← {"unsubscribed": "s1"}
///     ← {"error": {"code", "message"}, "subscription": "s1"}
///
/// Subscribing again with a running subscription's id replaces it.
struct WebSocketRoute: Sendable {
    let events: EventRoutes
    /// Messages waiting for a slow client, at most; past it the socket is closed and the client
    /// resumes each subscription after the last id it received, so nothing is lost.
    static let outboxLimit = 10_000

    /// A refusal of the upgrade, answered like any other.
    struct Refused: HTTPResponseError {
        let refusal: Response
        var status: HTTPResponse.Status { refusal.status }
        func response(from request: Request, context: some RequestContext) throws -> Response { refusal }
    }

    func shouldUpgrade(_ request: Request) throws -> RouterShouldUpgrade {
        if case .refused(let response) = events.access.check(request, command: EventRoutes.permission) { throw Refused(refusal: response) }
        return .upgrade([:])
    }

    /// One client's session: its subscriptions run until it unsubscribes or leaves. Sent
    /// messages go through one bounded outbox; a client too slow to empty it has its socket
    /// closed (policy violation) and resubscribes after the last ids it received.
    func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request) async throws {
        guard case .allowed(let caller) = events.access.check(request, command: EventRoutes.permission) else { return }
        let (outbox, post) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(Self.outboxLimit))
        let writer = Task {
            for await text in outbox { try await outbound.write(.text(text)) }
            try await outbound.close(.policyViolation, reason: "too slow: subscribe again after the last ids received")
        }
        var subscriptions: [String: Task<Void, Never>] = [:]
        // However the socket ends — closed, reset, a bad frame — its readers stop with it.
        defer {
            for task in subscriptions.values { task.cancel() }
            post.finish()
            writer.cancel()
        }
        for try await message in inbound.messages(maxSize: 64 << 10) {
            guard case .text(let text) = message, let request = try? ContractCoding.decode(ClientMessage.self, from: Data(text.utf8)) else {
                post.yield(Self.error(OmnibusError(.invalidRequest, #"send {"subscribe": {"id", …}} or {"unsubscribe": "<id>"} as JSON text"#)))
                continue
            }
            if let id = request.unsubscribe {
                // Stopped before the answer, so no frame of it follows "unsubscribed".
                if let task = subscriptions.removeValue(forKey: id) {
                    task.cancel()
                    await task.value
                }
                post.yield(Self.json(["unsubscribed": .string(id)]))
            }
            if let wanted = request.subscribe {
                guard RequestId.isValid(wanted.id) else {
                    post.yield(Self.error(OmnibusError(.invalidArgument, "a subscription id is 1 to 128 characters"), wanted.id))
                    continue
                }
                // The same id again replaces the subscription (a retry after an error, say).
                if let old = subscriptions.removeValue(forKey: wanted.id) {
                    old.cancel()
                    await old.value
                }
                switch await subscribe(wanted, caller: caller, post: post) {
                case .success(let task): subscriptions[wanted.id] = task
                case .failure(let refusal): post.yield(Self.error(refusal, wanted.id))
                }
            }
        }
    }

    private func subscribe(_ wanted: ClientMessage.Subscribe, caller: Callers.Caller,
                           post: AsyncStream<String>.Continuation) async -> Result<Task<Void, Never>, OmnibusError> {
        let filter: EventFilter
        switch EventFilter.parse(source: wanted.source, type: wanted.type, customer: wanted.customer, known: events.sources.map(\.name)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let parsed): filter = parsed
        }
        let chosen = events.sources.filter { filter.sources.contains($0.name) }
        let start: [String: Int64]
        switch await events.startPositions(of: chosen, after: wanted.after, fromStart: wanted.from == "start") {
        case .failure(let refusal): return .failure(refusal)
        case .success(let positions): start = positions
        }
        guard let slot = events.streams.take(for: caller.name) else {
            return .failure(OmnibusError(.unavailable, "the gateway serves \(events.streams.limit) streams, \(events.streams.perCaller) per front end, at most"))
        }
        post.yield(Self.json(["subscribed": .string(wanted.id)]))
        let bus = BusEvents(sources: chosen, startAfter: start, context: events.context, logger: events.logger)
        return .success(Task {
            defer { slot.close() }
            var cursor = EventCursor(positions: start, filter: filter)
            do {
                for try await item in bus {
                    guard !Task.isCancelled else { return }
                    guard case .event(let event) = item, let id = cursor.take(event.header) else { continue }
                    let frame = #"{"subscription":"# + Self.literal(wanted.id) + #","id":"# + Self.literal(id) + #","event":"#
                        + String(decoding: event.envelope, as: UTF8.self) + "}"
                    switch post.yield(frame) {
                    case .enqueued: continue
                    case .dropped:
                        // The client does not keep up: end the outbox, and the writer closes the socket.
                        post.finish()
                        return
                    case .terminated: return
                    @unknown default: return
                    }
                }
            } catch {
                if !Task.isCancelled { post.yield(Self.error(OmnibusError(.unavailable, "\(error)"), wanted.id)) }
            }
        })
    }

    /// What a client sends.
    struct ClientMessage: Decodable {
        struct Subscribe: Decodable {
            var id: String
            var source: String?
            var type: String?
            var customer: String?
            /// Resume after these positions (a received message's `id`).
            var after: String?
            /// `start`: from the beginning of every log; otherwise live.
            var from: String?
        }
        var subscribe: Subscribe?
        var unsubscribe: String?
    }

    private static func json(_ object: [String: JSONValue]) -> String {
        (try? String(decoding: ContractCoding.encode(JSONValue.object(object)), as: UTF8.self)) ?? "{}"
    }

    private static func error(_ error: OmnibusError, _ subscription: String? = nil) -> String {
        var object: [String: JSONValue] = ["error": .object(["code": .string(error.code.rawValue), "message": .string(error.message)])]
        if let subscription { object["subscription"] = .string(subscription) }
        return json(object)
    }

    private static func literal(_ text: String) -> String {
        (try? String(decoding: ContractCoding.encode(text), as: UTF8.self)) ?? #""""#
    }
}
