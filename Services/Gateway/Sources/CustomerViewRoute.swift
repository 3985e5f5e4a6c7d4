import AsyncAlgorithms
import Foundation
import Hummingbird
import Logging
import NIOCore
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle

/// `GET /v1/customers/{id}/view`: the customer as every channel sees them — the shared
/// ``CustomerViews`` fold of every source's log, or its snapshot where the source no longer
/// keeps its oldest events — as Server-Sent Events: one `view` event
/// once the logs are replayed, then one after each change, naming the event and the channel
/// it came from.
struct CustomerViewRoute: Sendable {
    let sources: [SubscriptionSource]
    let access: Access
    let context: ZMQContext
    let logger: Logger
    let streams: StreamSlots
    /// What a caller's channel must be allowed in the policy to follow a customer.
    static let permission = "customers.view"

    /// One `view` event's data.
    struct Frame: Encodable {
        var view: CustomerView?
        /// What changed it; nil on the first frame.
        var change: Change?
    }

    struct Change: Encodable {
        var topic: String
        var channel: String?
        var occurredAt: Timestamp
    }

    func handle(_ request: Request, customerId: String) async throws -> Response {
        let caller: Callers.Caller
        switch access.check(request, command: Self.permission) {
        case .refused(let response): return response
        case .allowed(let who): caller = who
        }
        guard RequestId.isValid(customerId) else { return CommandRoutes.error(.invalidArgument, "a customer id is 1 to 128 characters") }
        if let own = caller.customerId, own != customerId {
            return CommandRoutes.error(.forbidden, "a customer's token follows that customer only")
        }
        var options = BusEvents.Options()
        options.catchUpTimeout = .seconds(30)
        options.threadName = "gw-view"
        options.snapshotsOf = Set(sources.map(\.name))
        let events = BusEvents(sources: sources, context: context, logger: logger, options: options)
        guard let slot = streams.take(for: caller.name) else {
            return CommandRoutes.error(.unavailable, "the gateway serves \(streams.limit) streams, \(streams.perCaller) per front end, at most; retry later")
        }
        return Response(status: .ok, headers: EventRoutes.streamHeaders, body: ResponseBody { writer in
            defer { slot.close() }
            var views = CustomerViews()
            var live = false
            var shown: CustomerView??
            let ticks = AsyncTimerSequence(interval: EventRoutes.heartbeat, clock: .continuous).map { _ in EventRoutes.StreamItem.heartbeat }
            try await request.body.consumeUntilClientLeaves { _ in
            for try await item in merge(events.map { EventRoutes.StreamItem.bus($0) }, ticks).cancelOnGracefulShutdown() {
                var change: Change?
                switch item {
                case .heartbeat:
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    continue
                case .bus(.event(let event)):
                    try views.apply(event.envelope)
                    guard live else { continue }
                    change = Change(topic: event.header.topic, channel: event.header.channel, occurredAt: event.header.occurredAt)
                case .bus(.snapshot(let chunk)):
                    views.apply(snapshot: chunk.records, of: chunk.source, through: chunk.sequence)
                    guard live else { continue }
                    change = Change(topic: "\(chunk.source).snapshot", channel: nil, occurredAt: .now())
                case .bus(.caughtUp):
                    live = true
                case .bus(.gapRepaired), .event:
                    continue
                }
                let current = views.view(of: customerId)
                guard shown == nil || shown! != current else { continue }
                shown = .some(current)
                var frame = ByteBuffer(string: "event: view\ndata: ")
                frame.writeBytes(try ContractCoding.encode(Frame(view: current, change: change)))
                frame.writeString("\n\n")
                try await writer.write(frame)
            }
            }
            try await writer.finish(nil)
        })
    }
}

/// A file served as it is: the customer console page (`/console`, plain HTML and JavaScript
/// that talk to the routes above) and the OpenAPI document (`/v1/openapi.json`).
struct StaticRoute: Sendable {
    let body: String
    let contentType: String

    func handle() -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
