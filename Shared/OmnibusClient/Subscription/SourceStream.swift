import Foundation
import Logging
import Metrics
import OmnibusBus
import OmnibusContracts

/// One source as the subscriber sees it: what is committed, what is accepted into the batch
/// being applied, the head the source announced, and the replay exchange with it.
///
/// Lives on the subscriber's thread only (it owns the DEALER socket), hence not `Sendable`.
package final class SourceStream {
    package let source: SubscriptionSource
    /// `source.` as bytes: every topic of this source starts with it.
    package let topicPrefix: [UInt8]
    /// Talks to the source's replay endpoint.
    package let dealer: ZMQSocket
    private var applied: Int64
    private var accepted: Int64
    private var head: Int64 = 0
    private var awaitingFirstReplay = true
    /// The next replay continues a catch-up rather than repairing a loss: the last reply
    /// announced more than it carried (a log longer than one chunk), or live events
    /// overtook a reply in flight.
    private var catchingUp = false
    private var overtakenDuringReplay = false
    private var replaySentAt: ContinuousClock.Instant?
    private var retryAfter = ContinuousClock.now
    private var gapsRepaired = 0
    /// Where the last counted gap began (events were missing after it): a gap is counted
    /// once, however often its replay has to be asked for again.
    package private(set) var lastGapAfter: Int64?
    private let logger: Logger
    private let duplicates: Counter
    private let gaps: Counter
    private let replayRequests: Counter
    private let appliedCounter: Counter
    private let appliedGauge: Gauge
    private let rejected: Counter

    package init(source: SubscriptionSource, applied: Int64, context: ZMQContext, logger: Logger, metrics: MetricsRecorder) throws {
        self.source = source
        topicPrefix = Array(Topic.sourcePrefix(source.name).utf8)
        self.applied = applied
        self.accepted = applied
        self.logger = logger
        dealer = try ZMQSocket(context: context, type: .dealer)
        // Only queue requests on a live connection, so a request to a source that is down
        // is known to be unsent and tried again, instead of piling up.
        try dealer.setImmediate(true)
        try dealer.setMaxMessageSize(bytes: 64 << 20)
        try dealer.connect(source.replay)
        let from = [("from", source.name)]
        duplicates = metrics.counter(BusMetric.duplicatesDropped, from)
        gaps = metrics.counter(BusMetric.gapsDetected, from)
        replayRequests = metrics.counter(BusMetric.replayRequests, from)
        appliedCounter = metrics.counter(BusMetric.eventsApplied, from)
        appliedGauge = metrics.gauge(BusMetric.appliedSequence, from)
        rejected = metrics.counter(BusMetric.rejectedMessages, [("endpoint", "replay-reply"), ("reason", "invalid_reply")])
    }

    package var progress: SourceProgress {
        SourceProgress(applied: applied, head: max(head, applied), gapsRepaired: gapsRepaired)
    }

    /// True when the source has answered a replay, nothing is being asked, and everything
    /// it announced has been committed (handed out): a reader that started behind has caught up.
    package var isCaughtUp: Bool {
        !awaitingFirstReplay && replaySentAt == nil && applied >= head
    }

    /// Events are known to be missing, or the source has not answered yet.
    private var needsReplay: Bool { awaitingFirstReplay || accepted < head }

    /// How long the reader may wait for messages before this stream needs
    /// ``requestReplayIfNeeded`` again: short while a request could not be sent yet, so
    /// a source that has just come up is asked at once rather than at the next idle wake.
    package func pollMilliseconds(atMost limit: Int) -> Int {
        guard replaySentAt == nil, needsReplay else { return limit }
        let wait = retryAfter - .now
        return min(limit, max(1, Int(wait.wholeMilliseconds)))
    }

    /// Takes an event if it is the next one; counts and drops a duplicate; a later one means
    /// events are missing, which the next ``requestReplayIfNeeded`` repairs.
    package func offer(_ event: ReceivedEvent) -> ReceivedEvent? {
        let sequence = event.header.sequence
        noteHead(sequence)
        if sequence <= accepted {
            duplicates.increment()
            return nil
        }
        guard sequence == accepted + 1 else {
            if replaySentAt != nil { overtakenDuringReplay = true }
            return nil
        }
        accepted = sequence
        return event
    }

    /// Records the source's latest sequence, from a heartbeat, a replay reply or an event.
    package func noteHead(_ sequence: Int64) {
        if sequence > head { head = sequence }
    }

    /// Reads a replay reply and returns the events in it that follow on.
    package func takeReplay(_ frames: [Data]) -> [ReceivedEvent] {
        replaySentAt = nil
        guard let first = frames.first, let header = try? ContractCoding.decode(ReplayReplyHeader.self, from: first) else {
            rejected.increment()
            logger.warning("undecodable replay reply", metadata: ["source": "\(source.name)"])
            return []
        }
        if let error = header.error {
            if error.code == .outOfRange {
                // Asked after what this subscriber applied, which the source no longer has.
                logger.critical("source is behind what was applied: its event log was reset or restored", metadata: [
                    "source": "\(source.name)", "head": "\(header.head)", "applied": "\(applied)",
                ])
            } else {
                logger.error("replay refused", metadata: ["source": "\(source.name)", "error": "\(error)"])
            }
            retryAfter = .now + .seconds(1)
            return []
        }
        awaitingFirstReplay = false
        // A head below what was applied is no alarm here: the reply was read before live
        // events that overtook it on the SUB socket.
        noteHead(header.head)
        var events: [ReceivedEvent] = []
        for frame in frames.dropFirst() {
            guard let event = try? EventHeader.decode(from: frame), event.source == source.name else {
                rejected.increment()
                continue
            }
            if let next = offer(ReceivedEvent(header: event, envelope: frame)) { events.append(next) }
        }
        catchingUp = accepted < header.head || overtakenDuringReplay
        overtakenDuringReplay = false
        return events
    }

    /// Asks for replay when events are known to be missing (or at start), and again when a
    /// request went unanswered for `timeoutMilliseconds`.
    package func requestReplayIfNeeded(limit: Int, timeoutMilliseconds: Int) throws {
        let now = ContinuousClock.now
        var repairsGap = false
        if let sentAt = replaySentAt {
            guard now - sentAt >= .milliseconds(timeoutMilliseconds) else { return }
            logger.warning("replay request unanswered; asking again", metadata: ["source": "\(source.name)"])
        } else {
            guard needsReplay, now >= retryAfter else { return }
            repairsGap = !awaitingFirstReplay && !catchingUp && lastGapAfter != accepted
        }
        let request = ReplayRequest(source: source.name, after: accepted, limit: limit)
        if try dealer.send([try ContractCoding.encode(request)], wait: false) {
            replaySentAt = now
            replayRequests.increment()
            if repairsGap {
                gaps.increment()
                gapsRepaired += 1
                lastGapAfter = accepted
            }
        } else {
            replaySentAt = nil
            // No connection yet (a source starting, or down): the attempt is cheap, so retry soon.
            retryAfter = now + .milliseconds(10)
        }
    }

    /// The batch holding this source's events up to `sequence` committed.
    package func committed(through sequence: Int64) {
        appliedCounter.increment(by: Int(sequence - applied))
        applied = sequence
        appliedGauge.record(sequence)
    }

    /// The batch failed to commit: forget what it accepted, so replay brings it again.
    package func rollBack() {
        accepted = applied
    }
}
