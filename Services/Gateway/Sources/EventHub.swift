import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import ServiceLifecycle
import Synchronization

/// One reader of the bus for every live stream: each event is read and parsed once, kept in
/// a ring of the newest, and handed to every stream that reads its source. A stream that
/// resumes within the ring starts from it; one that resumes further back gets a reader of
/// its own (``EventRoutes``) — so many clients cost one subscription, not one each.
final class EventHub: Service, Sendable {
    /// One event as the streams see it.
    struct Event: Sendable {
        let header: EventHeader
        let envelope: Data
    }

    private struct Subscriber {
        let sources: Set<String>
        let continuation: AsyncThrowingStream<Event, any Error>.Continuation
    }

    /// Why a stream was ended: its client fell too far behind.
    struct Overflow: Error, CustomStringConvertible {
        var description: String { "the client fell more than the buffer behind; it resumes with Last-Event-ID" }
    }

    private struct State {
        /// True once the hub's reader has caught up and follows live.
        var live = false
        /// The last sequence the hub has read of each source.
        var positions: [String: Int64] = [:]
        /// The newest events, oldest first, at most `ringSize`; each source's are contiguous.
        var ring: [Event] = []
        var ringStart = 0
        /// Each source's oldest sequence in the ring.
        var firstInRing: [String: Int64] = [:]
        var subscribers: [UUID: Subscriber] = [:]
    }

    private let sources: [SubscriptionSource]
    private let heads: @Sendable () async throws -> [String: Int64]
    private let context: ZMQContext
    private let logger: Logger
    private let ringSize: Int
    /// Events waiting for one slow stream, at most; past it the stream ends (its client
    /// resumes with Last-Event-ID) rather than holding the hub back or growing without bound.
    private let subscriberBuffer: Int
    private let state = Mutex(State())

    init(sources: [SubscriptionSource], heads: @escaping @Sendable () async throws -> [String: Int64], context: ZMQContext,
         logger: Logger, ringSize: Int, subscriberBuffer: Int = 10_000) {
        self.sources = sources
        self.heads = heads
        self.context = context
        self.logger = logger
        self.ringSize = ringSize
        self.subscriberBuffer = subscriberBuffer
    }

    /// Reads the bus from the sources' heads, then live, until shutdown; starts again from
    /// where it was if its reader fails, and waits for the services to answer at first.
    func run() async throws {
        var start: [String: Int64]? = nil
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let from: [String: Int64]
                if let start { from = start } else { from = try await heads() }
                start = from
                state.withLock { $0.positions = from }
                var options = BusEvents.Options()
                options.threadName = "gw-hub"
                for try await item in BusEvents(sources: sources, startAfter: from, context: context, logger: logger, options: options)
                    .cancelOnGracefulShutdown() {
                    switch item {
                    case .event(let event): publish(Event(header: event.header, envelope: event.envelope))
                    case .caughtUp: state.withLock { $0.live = true }
                    case .gapRepaired, .snapshot: continue  // it reads from the heads: no snapshot is asked for
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                logger.warning("the event hub's reader stopped; starting again", metadata: ["error": "\(error)"])
                // Until the heads were read there is nowhere to resume from: ask for them again
                // rather than replay every log from the start.
                if start != nil { start = state.withLock { $0.positions } }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        // Finished outside the lock: a stream's termination handler takes it too.
        let ending = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in ending { subscriber.continuation.finish() }
    }

    /// A stream of `sources`' events after `positions`, from the ring and then live; nil when
    /// the hub is not live yet or the ring no longer holds what follows a position (the
    /// caller reads the logs itself then). Events at or before a position may come too: the
    /// stream skips them.
    func subscribe(to sources: Set<String>, after positions: [String: Int64]) -> AsyncThrowingStream<Event, any Error>? {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(subscriberBuffer))
        let id = UUID()
        let attached = state.withLock { state -> Bool in
            guard state.live else { return false }
            for source in sources {
                let after = positions[source] ?? 0
                guard after >= state.positions[source] ?? 0 || (state.firstInRing[source].map { $0 <= after + 1 } ?? false) else {
                    return false
                }
            }
            // The backlog is handed over under the lock, so no live event can slip in between;
            // a stream that starts at the hub's position needs none.
            let needsBacklog = sources.contains { (positions[$0] ?? 0) < (state.positions[$0] ?? 0) }
            for index in state.ringStart..<state.ring.count where needsBacklog {
                let event = state.ring[index]
                guard sources.contains(event.header.source), event.header.sequence > positions[event.header.source] ?? 0 else { continue }
                if case .dropped = continuation.yield(event) { return false }
            }
            state.subscribers[id] = Subscriber(sources: sources, continuation: continuation)
            return true
        }
        guard attached else {
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    private func publish(_ event: Event) {
        let overflowed = state.withLock { state -> [Subscriber] in
            let source = event.header.source
            guard event.header.sequence > state.positions[source] ?? 0 else { return [] }
            state.positions[source] = event.header.sequence
            state.ring.append(event)
            if state.firstInRing[source] == nil { state.firstInRing[source] = event.header.sequence }
            if state.ring.count - state.ringStart > ringSize {
                let evicted = state.ring[state.ringStart].header
                state.ringStart += 1
                // Each source's events are contiguous in the ring: the next one is its oldest now.
                state.firstInRing[evicted.source] = evicted.sequence < (state.positions[evicted.source] ?? 0) ? evicted.sequence + 1 : nil
                if state.ringStart > ringSize {
                    state.ring.removeFirst(state.ringStart)
                    state.ringStart = 0
                }
            }
            var overflowed: [UUID] = []
            for (id, subscriber) in state.subscribers where subscriber.sources.contains(source) {
                if case .dropped = subscriber.continuation.yield(event) { overflowed.append(id) }
            }
            return overflowed.compactMap { state.subscribers.removeValue(forKey: $0) }
        }
        // Finished outside the lock: a stream's termination handler takes it too. The error
        // ends the client's response, and its browser resumes with Last-Event-ID.
        for subscriber in overflowed { subscriber.continuation.finish(throwing: Overflow()) }
    }
}
