import AsyncAlgorithms
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// `GET /v1/events?source=…&type=…&customer=…`: the bus as Server-Sent Events. Each event's
/// `id` is `<source>:<sequence>` followed by the other sources' positions (`orders:48,identity:12`),
/// so a browser that reconnects with `Last-Event-ID` resumes every source exactly where it
/// was: replayed, then live, through the same gap-safe reader the services use.
struct EventRoutes: Sendable {
    let sources: [SubscriptionSource]
    let clients: [String: CommandClient]
    let access: Access
    let context: ZMQContext
    let logger: Logger
    let streams: StreamSlots
    let hub: EventHub
    /// A comment line this often keeps proxies from closing an idle stream, and finds closed ones.
    static let heartbeat: Duration = .seconds(15)
    /// What a caller's channel must be allowed in the policy to read the bus.
    static let permission = "bus.events"

    func handle(_ request: Request) async throws -> Response {
        let caller: Callers.Caller
        switch access.check(request, command: Self.permission) {
        case .refused(let response): return response
        case .allowed(let who): caller = who
        }
        let query = request.uri.queryParameters
        let filter: EventFilter
        switch EventFilter.parse(source: query["source"].map(String.init), type: query["type"].map(String.init),
                                 customer: query["customer"].map(String.init), known: sources.map(\.name)) {
        case .failure(let refusal): return CommandRoutes.error(.invalidArgument, refusal.message)
        case .success(let parsed): filter = parsed
        }
        let chosen = sources.filter { filter.sources.contains($0.name) }
        let lastEventId = request.headers[HTTPField.Name("Last-Event-ID")!] ?? query["lastEventId"].map(String.init)
        let start: [String: Int64]
        switch await startPositions(of: chosen, after: lastEventId, fromStart: query["from"] == "start") {
        case .failure(let refusal): return CommandRoutes.error(refusal.code, refusal.message)
        case .success(let positions): start = positions
        }
        guard let slot = streams.take(for: caller.name) else {
            return CommandRoutes.error(.unavailable, "the gateway serves \(streams.limit) streams, \(streams.perCaller) per front end, at most; retry later")
        }
        // The shared reader when it still holds what follows `start`; a reader of this stream's own otherwise.
        let shared = hub.subscribe(to: Set(chosen.map(\.name)), after: start)
        let own = shared == nil ? BusEvents(sources: chosen, startAfter: start, context: context, logger: logger) : nil
        return Response(status: .ok, headers: Self.streamHeaders, body: ResponseBody { [start] writer in
            defer { slot.close() }
            // An id-only block: the browser's Last-Event-ID covers the time before the first event too.
            try await writer.write(ByteBuffer(string: ": omnibus events\nid: \(EventPosition.format(start, first: nil))\n\n"))
            let ticks = AsyncTimerSequence(interval: Self.heartbeat, clock: .continuous).map { _ in StreamItem.heartbeat }
            // A stream never ends by itself: the client leaving or a graceful shutdown ends it.
            try await request.body.consumeUntilClientLeaves { _ in
                if let shared {
                    try await Self.stream(merge(shared.map { StreamItem.event($0) }, ticks), from: start, filter: filter, to: &writer)
                } else if let own {
                    try await Self.stream(merge(own.map { StreamItem.bus($0) }, ticks), from: start, filter: filter, to: &writer)
                }
            }
            try await writer.finish(nil)
        })
    }

    /// Writes `items` as SSE until they end: each event of the filter with the positions of
    /// every source as its id, heartbeats as comments. Events at or before `start` are skipped.
    private static func stream<Items: AsyncSequence & Sendable>(
        _ items: Items, from start: [String: Int64], filter: EventFilter, to writer: inout any ResponseBodyWriter
    ) async throws where Items.Element == StreamItem {
        var cursor = EventCursor(positions: start, filter: filter)
        for try await item in items.cancelOnGracefulShutdown() {
            let event: EventHub.Event
            switch item {
            case .heartbeat:
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                continue
            case .event(let shared): event = shared
            case .bus(.event(let own)): event = EventHub.Event(header: own.header, envelope: own.envelope)
            case .bus: continue
            }
            guard let id = cursor.take(event.header) else { continue }
            var frame = ByteBuffer(string: "id: \(id)\nevent: \(event.header.topic)\ndata: ")
            frame.writeBytes(event.envelope)
            frame.writeString("\n\n")
            try await writer.write(frame)
        }
    }

    static var streamHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return headers
    }

    enum StreamItem: Sendable {
        /// From a reader of the stream's own.
        case bus(BusTap.Item)
        /// From the shared reader.
        case event(EventHub.Event)
        case heartbeat
    }

    /// Where a stream over `chosen` starts: after the positions of a Last-Event-ID (one past
    /// a source's head resumes at the head), at the start of every log, or live at the heads.
    func startPositions(of chosen: [SubscriptionSource], after lastEventId: String?, fromStart: Bool) async -> Result<[String: Int64], OmnibusError> {
        let heads: [String: Int64]
        do {
            heads = try await Self.heads(of: chosen.map(\.name), clients: clients)
        } catch let error as OmnibusError {
            return .failure(OmnibusError(error.code, "cannot start the stream: \(error.message)"))
        } catch {
            return .failure(OmnibusError(.unavailable, "cannot start the stream: \(error)"))
        }
        var start: [String: Int64]
        if let lastEventId {
            let names = Set(chosen.map(\.name))
            guard let positions = EventPosition.parse(lastEventId), positions.keys.allSatisfy(names.contains) else {
                return .failure(OmnibusError(.invalidArgument,
                                             "Last-Event-ID '\(lastEventId.prefix(80))' is not source:sequence[,source:sequence…] of this stream's sources"))
            }
            // A position past the head (a log restored from a backup, a forged id) resumes at
            // the head: waiting for the log to reach it would drop what comes before.
            start = positions
            for (name, position) in positions { start[name] = min(position, heads[name] ?? position) }
        } else {
            start = fromStart ? [:] : heads
        }
        for source in chosen where start[source.name] == nil { start[source.name] = 0 }
        return .success(start)
    }

    /// Each source's head now: a stream without Last-Event-ID starts live.
    static func heads(of names: [String], clients: [String: CommandClient]) async throws -> [String: Int64] {
        var heads: [String: Int64] = [:]
        for name in names {
            guard let client = clients[name] else { continue }
            heads[name] = try await client.send(GetHealth(), timeout: .seconds(3)).head
        }
        return heads
    }
}

/// Which events a stream carries.
struct EventFilter: Sendable {
    var sources: Set<String>
    /// Types (`cart.item_added`) or topics (`orders.cart.item_added`); empty: all.
    var types: Set<String>
    var customer: String?

    static func parse(source: String?, type: String?, customer: String?, known: [String]) -> Result<EventFilter, OmnibusError> {
        let sources = source.map { Set($0.split(separator: ",").map(String.init)) } ?? Set(known)
        if let unknown = sources.first(where: { !known.contains($0) }) {
            return .failure(OmnibusError(.invalidArgument, "no source '\(SafeText.escaped(unknown, maxBytes: 64))'; the sources are \(known.sorted().joined(separator: ", "))"))
        }
        let types = type.map { Set($0.split(separator: ",").map(String.init)) } ?? []
        return .success(EventFilter(sources: sources, types: types, customer: customer.flatMap { $0.isEmpty ? nil : $0 }))
    }

    func matches(_ header: EventHeader) -> Bool {
        (types.isEmpty || types.contains(header.type) || types.contains(header.topic))
            && (customer == nil || header.customerId == customer)
    }
}

/// Where a stream is in each of its sources, and what it sends: an event is taken once (one
/// at or before its source's position is passed over), and sent when the filter matches, with
/// the id of every source's position.
struct EventCursor {
    var positions: [String: Int64]
    let filter: EventFilter

    /// The id to send `header`'s event with, or nil when it is not sent.
    mutating func take(_ header: EventHeader) -> String? {
        guard header.sequence > positions[header.source] ?? 0 else { return nil }
        positions[header.source] = header.sequence
        return filter.matches(header) ? EventPosition.format(positions, first: header.source) : nil
    }
}

/// The SSE id: every source's position, the event's own first.
enum EventPosition {
    static func format(_ positions: [String: Int64], first: String?) -> String {
        let ordered = (first.map { [$0] } ?? []) + positions.keys.sorted().filter { $0 != first }
        return ordered.map { "\($0):\(positions[$0] ?? 0)" }.joined(separator: ",")
    }

    static func parse(_ text: String) -> [String: Int64]? {
        var positions: [String: Int64] = [:]
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let sequence = Int64(pieces[1]), sequence >= 0, Topic.isValidSource(String(pieces[0])) else { return nil }
            positions[String(pieces[0])] = sequence
        }
        return positions.isEmpty ? nil : positions
    }
}
