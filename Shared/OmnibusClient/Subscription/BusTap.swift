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
        /// A piece of the snapshot of a source named in `snapshotsOf` whose events the reader
        /// needed are no longer kept: fold it, and the source's events after its sequence follow.
        case snapshot(SnapshotChunk)
        /// Every source has answered and everything it announced has been handed out: what
        /// follows is live. Handed out once.
        case caughtUp
    }

    private let reader: BusReader
    private var announcedCaughtUp = false

    /// Subscribes to `sources` and starts each after the sequence in `startAfter`
    /// (0: from the start of its log). Where a source no longer keeps the events a reader
    /// needs, those in `snapshotsOf` hand out their snapshot instead (``Item/snapshot(_:)``);
    /// for the others the events are skipped, logged and counted.
    public init(
        sources: [SubscriptionSource], startAfter: [String: Int64], snapshotsOf: Set<String> = [], context: ZMQContext,
        logger: Logger, options: BusReadingOptions = BusTap.defaultReading
    ) throws {
        reader = try BusReader(
            sources: sources, startAfter: startAfter, snapshotsOf: snapshotsOf, context: context, logger: logger,
            metrics: MetricsRecorder(service: "tap", factory: NOOPMetricsHandler.instance), options: options)
    }

    /// How a tool or front end reads unless told otherwise: as the runtime does, but an
    /// unanswered replay request is sent again after 2 s (a person is waiting).
    public static var defaultReading: BusReadingOptions {
        var options = BusReadingOptions()
        options.replayTimeoutMilliseconds = 2_000
        return options
    }

    /// Per source: handed out through, announced head, gaps repaired.
    public var progress: [String: SourceProgress] { reader.progress }

    /// Every source has answered and everything it announced has been handed out.
    public var isCaughtUp: Bool { reader.isCaughtUp }

    /// Hands out items until `handle` returns false or `shouldStop` says so (checked at
    /// least every `pollMilliseconds`).
    public func run(pollMilliseconds: Int = 100, shouldStop: () -> Bool, handle: (Item) -> Bool) throws {
        var stopped = false
        func gapRepaired(_ source: String, _ after: Int64) {
            if !stopped && !handle(.gapRepaired(source: source, after: after)) { stopped = true }
        }
        for gap in try reader.requestReplays() { gapRepaired(gap.source, gap.after) }
        while !stopped && !shouldStop() {
            // A tool has no metrics to count garbage in: rejected live messages are skipped.
            let going = try reader.read(atMost: pollMilliseconds, rejected: { _ in }, gapRepaired: gapRepaired, snapshot: { chunk in
                guard !stopped else { return }
                if handle(.snapshot(chunk)) { reader.stream(named: chunk.source)?.committed(chunk) } else { stopped = true }
            }) { events in
                // Handing an event out is committing it: a tap applies nothing it could roll back.
                for event in events {
                    reader.stream(named: event.header.source)?.committed(through: event.header.sequence)
                    guard !stopped, handle(.event(event)) else { return false }
                }
                return !stopped
            }
            guard going, !stopped else { return }
            for gap in try reader.requestReplays() { gapRepaired(gap.source, gap.after) }
            if !announcedCaughtUp && isCaughtUp {
                announcedCaughtUp = true
                guard !stopped, handle(.caughtUp) else { return }
            }
        }
    }
}
