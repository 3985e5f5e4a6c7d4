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
struct WebSocketRoute: Sendable {
    let events: EventRoutes
    /// Messages waiting for a slow client, at most; past it the subscription that overflowed
    /// ends with an error naming where to resume (`after`), and nothing is lost.
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

    /// One client's session: its subscriptions run until it unsubscribes or leaves.
    func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request) async throws {
        guard case .allowed(let caller) = events.access.check(request, command: EventRoutes.permission) else { return }
        let (outbox, post) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(Self.outboxLimit))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outbox { try await outbound.write(.text(text)) }
            }
            var subscriptions: [String: Task<Void, Never>] = [:]
            for try await message in inbound.messages(maxSize: 64 << 10) {
                guard case .text(let text) = message, let request = try? ContractCoding.decode(ClientMessage.self, from: Data(text.utf8)) else {
                    post.yield(Self.error(OmnibusError(.invalidRequest, #"send {"subscribe": {"id", …}} or {"unsubscribe": "<id>"} as JSON text"#)))
                    continue
                }
                if let id = request.unsubscribe {
                    subscriptions.removeValue(forKey: id)?.cancel()
                    post.yield(Self.json(["unsubscribed": .string(id)]))
                }
                if let wanted = request.subscribe {
                    guard subscriptions[wanted.id] == nil, RequestId.isValid(wanted.id) else {
                        post.yield(Self.error(OmnibusError(.conflict, "subscription ids are 1 to 128 characters, one per running subscription"), wanted.id))
                        continue
                    }
                    switch await subscribe(wanted, caller: caller, post: post) {
                    case .success(let task): subscriptions[wanted.id] = task
                    case .failure(let refusal): post.yield(Self.error(refusal, wanted.id))
                    }
                }
            }
            for task in subscriptions.values { task.cancel() }
            post.finish()
            group.cancelAll()
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
            var positions = start
            do {
                for try await item in bus {
                    guard case .event(let event) = item else { continue }
                    positions[event.header.source] = event.header.sequence
                    guard filter.matches(event.header) else { continue }
                    let id = EventPosition.format(positions, first: event.header.source)
                    let frame = #"{"subscription":"# + Self.literal(wanted.id) + #","id":"# + Self.literal(id) + #","event":"#
                        + String(decoding: event.envelope, as: UTF8.self) + "}"
                    if case .dropped = post.yield(frame) {
                        post.yield(Self.error(OmnibusError(.unavailable, "the client reads too slowly; subscribe again with after: \(id)"), wanted.id))
                        return
                    }
                }
            } catch {
                post.yield(Self.error(OmnibusError(.unavailable, "\(error)"), wanted.id))
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
