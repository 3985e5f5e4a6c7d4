import Foundation
import Logging
import Metrics
import OmnibusBus
import OmnibusContracts

/// Reads the events of several sources as the subscriber does — subscribe first, replay
/// from a position, then live, each source in sequence order, duplicates dropped, gaps and
/// heartbeats ahead repaired by replay — but without a database: for front ends and tools
/// (`omnibus tail`, `omnibus customer`) that show events rather than apply them. It lives in
/// OmnibusClient so a channel front end gets it without linking the service runtime.
///
/// Owns ZeroMQ sockets, so it stays on the thread that made it (not `Sendable`).
public final class BusTap {
    /// What the tap hands out.
    public enum Item: Sendable {
        /// The next event of its source.
        case event(ReceivedEvent)
        /// Events of `source` were missing after `after` and have been asked for by replay.
        case gapRepaired(source: String, after: Int64)
        /// Every source has answered and everything it announced has been handed out: what
        /// follows is live. Handed out once.
        case caughtUp
    }

    private let subscriber: ZMQSocket
    private let streams: [SourceStream]
    private let replayBatch: Int
    private var announcedCaughtUp = false

    /// Subscribes to `sources` and starts each after the sequence in `startAfter`
    /// (0: from the start of its log).
    public init(
        sources: [SubscriptionSource], startAfter: [String: Int64], context: ZMQContext, logger: Logger,
        replayBatch: Int = 5_000, receiveHighWaterMark: Int32 = 100_000, receiveBufferBytes: Int32 = 0
    ) throws {
        let metrics = MetricsRecorder(service: "tap", factory: NOOPMetricsHandler.instance)
        subscriber = try ZMQSocket(context: context, type: .subscriber)
        try subscriber.setReceiveHighWaterMark(receiveHighWaterMark)
        if receiveBufferBytes > 0 { try subscriber.setReceiveBuffer(bytes: receiveBufferBytes) }
        try subscriber.setMaxMessageSize(bytes: Int64(EnvelopeWriter.maxEnvelopeBytes + 4096))
        var streams: [SourceStream] = []
        for source in sources {
            try subscriber.connect(source.events)
            try subscriber.subscribe(Topic.sourcePrefix(source.name))
            streams.append(try SourceStream(
                source: source, applied: startAfter[source.name] ?? 0, context: context, logger: logger, metrics: metrics))
        }
        self.streams = streams
        self.replayBatch = replayBatch
    }

    /// Per source: handed out through, announced head, gaps repaired.
    public var progress: [String: SourceProgress] {
        Dictionary(uniqueKeysWithValues: streams.map { ($0.source.name, $0.progress) })
    }

    /// Every source has answered and everything it announced has been handed out.
    public var isCaughtUp: Bool { streams.allSatisfy(\.isCaughtUp) }

    /// Hands out items until `handle` returns false or `shouldStop` says so (checked at
    /// least every `pollMilliseconds`).
    public func run(pollMilliseconds: Int = 100, shouldStop: () -> Bool, handle: (Item) -> Bool) throws {
        let byName = Dictionary(uniqueKeysWithValues: streams.map { ($0.source.name, $0) })
        let sockets = [subscriber] + streams.map(\.dealer)
        guard try requestReplays(handle) else { return }
        while !shouldStop() {
            let timeout = streams.reduce(pollMilliseconds) { $1.pollMilliseconds(atMost: $0) }
            let readable = try ZMQPoller.poll(sockets, timeoutMilliseconds: timeout)
            for (index, stream) in streams.enumerated() where readable[index + 1] {
                while let frames = try stream.dealer.receive(wait: false) {
                    for event in stream.takeReplay(frames) {
                        stream.committed(through: event.header.sequence)
                        guard handle(.event(event)) else { return }
                    }
                }
            }
            if readable[0] {
                while let frames = try subscriber.receive(wait: false) {
                    // A tool has no metrics to count garbage in; it just skips it.
                    guard case .success(let event?) = LiveMessage.route(frames, to: streams) else { continue }
                    byName[event.header.source]?.committed(through: event.header.sequence)
                    guard handle(.event(event)) else { return }
                }
            }
            guard try requestReplays(handle) else { return }
            if !announcedCaughtUp && isCaughtUp {
                announcedCaughtUp = true
                guard handle(.caughtUp) else { return }
            }
        }
    }

    /// Asks each source for what is missing; reports a gap when that is a repair, not the start.
    private func requestReplays(_ handle: (Item) -> Bool) throws -> Bool {
        for stream in streams {
            let gapsBefore = stream.progress.gapsRepaired
            let after = stream.progress.applied
            try stream.requestReplayIfNeeded(limit: replayBatch, timeoutMilliseconds: 2_000)
            if stream.progress.gapsRepaired > gapsBefore, !handle(.gapRepaired(source: stream.source.name, after: after)) {
                return false
            }
        }
        return true
    }
}
