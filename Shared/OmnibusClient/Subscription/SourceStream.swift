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
    /// Set while the stream rebuilds from the source's snapshot (its position was older than
    /// the source's retained log).
    private var bootstrap: SnapshotBootstrap?
    /// Whether the reader folds this source's snapshots; if not, events that retention
    /// removed before they were read are counted as lost and skipped.
    private let readsSnapshots: Bool
    private var snapshotBootstraps = 0
    /// How loudly retired events skipped are logged: critical for a service that keeps state
    /// from them; a notice for a tap (a tool or a front end reading from the start).
    private let lossLevel: Logger.Level
    /// The source's log epoch as last seen; the subscriber stores it with its offset.
    package private(set) var epoch: String?
    /// Epochs this stream has seen replaced: a late message from one of them is dropped.
    private var pastEpochs: Set<String> = []
    /// Raised each time the stream goes back (a restored source): events it handed out
    /// before are not to be committed.
    package private(set) var generation = 0
    /// Whether the source's log epoch has been heard since the events connection was last
    /// (re)made; until then live events are not taken (replay brings them).
    private var epochConfirmed = false
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
    private let bootstraps: Counter
    private let lost: Counter
    private let restores: Counter

    /// Snapshot formats this client reads.
    static let snapshotVersions = [1]

    package init(source: SubscriptionSource, applied: Int64, epoch: String? = nil, readsSnapshots: Bool = false,
                 lossLevel: Logger.Level = .notice, context: ZMQContext, logger: Logger, metrics: MetricsRecorder) throws {
        self.source = source
        self.lossLevel = lossLevel
        self.epoch = epoch
        self.readsSnapshots = readsSnapshots
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
        bootstraps = metrics.counter(BusMetric.snapshotBootstraps, from)
        lost = metrics.counter(BusMetric.eventsLost, from)
        restores = metrics.counter(BusMetric.sourceRestores, from)
    }

    package var progress: SourceProgress {
        SourceProgress(applied: applied, head: max(head, applied), gapsRepaired: gapsRepaired,
                       snapshotBootstraps: snapshotBootstraps, bootstrapping: bootstrap != nil)
    }

    /// True when the source has answered a replay, nothing is being asked, and everything
    /// it announced has been committed (handed out): a reader that started behind has caught up.
    package var isCaughtUp: Bool {
        !awaitingFirstReplay && replaySentAt == nil && bootstrap == nil && applied >= head
    }

    /// Events are known to be missing, the source has not answered yet, or a snapshot has
    /// chunks still to come.
    private var needsReplay: Bool {
        if let bootstrap { return !bootstrap.lastHandedOut }
        return awaitingFirstReplay || accepted < head
    }

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
        guard epochConfirmed else { return nil }
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

    /// Checks the log epoch a heartbeat or replay reply announces, and returns whether the
    /// message belongs to the current one. A new epoch means the source was restored from a
    /// backup: what this reader applied after the backup's head is not in the source's log
    /// any more (other events may now carry those numbers), so it goes back there, says so
    /// and replays. A message of a replaced epoch (late, from before the restore) is dropped.
    package func noteEpoch(_ announced: LogEpoch?) -> Bool {
        guard let announced else {  // a source that predates epochs
            epochConfirmed = true
            return true
        }
        if pastEpochs.contains(announced.id) { return false }
        epochConfirmed = true
        if announced.id == epoch { return true }
        guard let known = epoch else {
            epoch = announced.id
            return true
        }
        pastEpochs.insert(known)
        epoch = announced.id
        restores.increment()
        guard applied > announced.startsAfter || accepted > announced.startsAfter else {
            logger.warning("source was restored from a backup; everything applied here is in its log", metadata: [
                "source": "\(source.name)", "backupHead": "\(announced.startsAfter)", "applied": "\(applied)",
            ])
            return true
        }
        logger.critical("source was restored from a backup: events applied here after its backup are not in its log; replaying from the backup's head", metadata: [
            "source": "\(source.name)", "backupHead": "\(announced.startsAfter)", "applied": "\(applied)",
            "notInLog": "\(announced.startsAfter + 1)…\(applied)",
        ])
        applied = announced.startsAfter
        accepted = announced.startsAfter
        head = announced.startsAfter
        generation += 1
        bootstrap = nil
        awaitingFirstReplay = true
        replaySentAt = nil
        retryAfter = .now
        return true
    }

    /// The events connection was (re)made: the source may be a new process, restored from a
    /// backup; live events wait until its epoch is heard, and a replay asks for it at once.
    package func reconnected() {
        epochConfirmed = false
        if bootstrap == nil { awaitingFirstReplay = true }
    }

    /// Records the source's latest sequence, from a heartbeat, a replay reply or an event.
    package func noteHead(_ sequence: Int64) {
        if sequence > head { head = sequence }
    }

    /// What a reply from the replay endpoint brought.
    package enum Reply {
        case events([ReceivedEvent])
        case snapshot(SnapshotChunk)
    }

    /// Reads a reply from the replay endpoint: the events in it that follow on, or the
    /// snapshot chunk the stream asked for next.
    package func take(_ frames: [Data]) -> Reply {
        replaySentAt = nil
        guard let first = frames.first else {
            rejected.increment()
            return .events([])
        }
        if let snapshot = try? ContractCoding.decode(SnapshotReplyHeader.self, from: first), snapshot.type == SnapshotReplyHeader.typeName {
            return takeSnapshot(snapshot, records: frames.dropFirst()).map(Reply.snapshot) ?? .events([])
        }
        return .events(takeReplay(frames))
    }

    /// Reads a replay reply and returns the events in it that follow on.
    private func takeReplay(_ frames: [Data]) -> [ReceivedEvent] {
        guard let first = frames.first, let header = try? ContractCoding.decode(ReplayReplyHeader.self, from: first) else {
            rejected.increment()
            logger.warning("undecodable replay reply", metadata: ["source": "\(source.name)"])
            return []
        }
        let appliedBefore = applied
        guard noteEpoch(header.epoch) else { return [] }
        // The source was restored and this stream went back: the reply answers a request from before.
        if applied != appliedBefore { return [] }
        if let error = header.error {
            if header.eventsRetired, let oldest = header.oldest {
                noteHead(header.head)
                if header.after == accepted && bootstrap == nil { retired(through: oldest - 1) }
                return []
            }
            if bootstrap != nil {
                // A source that does not know snapshot requests reads one as a replay request
                // without `after`; other refusals here answer requests from before the bootstrap.
                if error.code == .invalidRequest { noSnapshot(because: "\(error)") }
                return []
            } else if error.code == .outOfRange {
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
        guard bootstrap == nil else { return [] }  // an answer to a request from before the bootstrap began
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

    /// The events after `accepted` are gone from the source's log (through `through`): read
    /// its snapshot instead, or — if this reader keeps nothing a snapshot would rebuild —
    /// count them as lost and go on after them. Never silent: both are logged and counted.
    private func retired(through: Int64) {
        guard readsSnapshots else {
            skipLost(through: through, because: "this reader folds no snapshot of \(source.name)")
            return
        }
        logger.warning("events older than the source's retained log are needed: bootstrapping from its snapshot", metadata: [
            "source": "\(source.name)", "applied": "\(applied)", "oldest": "\(through + 1)",
        ])
        bootstraps.increment()
        snapshotBootstraps += 1
        bootstrap = SnapshotBootstrap(oldest: through + 1)
        retryAfter = .now
    }

    private func skipLost(through: Int64, because reason: String) {
        let count = through - accepted
        guard count > 0 else { return }
        logger.log(level: lossLevel, "events lost: the source no longer keeps them and they cannot be rebuilt", metadata: [
            "source": "\(source.name)", "from": "\(accepted + 1)", "through": "\(through)", "reason": "\(reason)",
        ])
        lost.increment(by: Int(count))
        accepted = through
        applied = through
        awaitingFirstReplay = false
    }

    /// The source cannot give this reader a snapshot it reads (it serves none, an older or
    /// newer format, or predates snapshots). Skipping would leave merges and erasures undone,
    /// so the stream stays where it is — critical, and asked again every 30 s — until the
    /// source is upgraded or an operator decides.
    private func noSnapshot(because reason: String) {
        guard let bootstrap else { return }
        logger.critical("cannot rebuild from the source's snapshot; applying nothing more from it until it can", metadata: [
            "source": "\(source.name)", "applied": "\(applied)", "oldest": "\(bootstrap.oldest)", "reason": "\(reason)",
        ])
        self.bootstrap = SnapshotBootstrap(oldest: bootstrap.oldest)
        retryAfter = .now + .seconds(30)
    }

    /// Takes a snapshot reply if it is the chunk asked for next.
    private func takeSnapshot(_ header: SnapshotReplyHeader, records: ArraySlice<Data>) -> SnapshotChunk? {
        guard var bootstrap else { return nil }  // a late reply to a bootstrap already over
        // An answer to the request this stream is waiting on, not a late one to an earlier request.
        guard header.id == (bootstrap.id ?? header.id), header.cursor == bootstrap.accepted else { return nil }
        if let error = header.error {
            guard header.id == (bootstrap.id ?? "") else { return nil }
            if error.code == .unavailable || (bootstrap.id != nil && [.notFound, .invalidArgument].contains(error.code)) {
                // Busy; or the snapshot was closed (idle, the source restarted) or will not go
                // back to a chunk this stream must read again after a failed commit: start a new one.
                logger.warning("snapshot interrupted; starting again", metadata: ["source": "\(source.name)", "error": "\(error)"])
                self.bootstrap = SnapshotBootstrap(oldest: bootstrap.oldest)
                retryAfter = .now + .seconds(1)
            } else {
                noSnapshot(because: "\(error)")
            }
            return nil
        }
        guard !bootstrap.lastHandedOut, header.count == records.count else {
            return nil
        }
        var decoded: [SnapshotRecord] = []
        decoded.reserveCapacity(records.count)
        for frame in records {
            guard let record = try? ContractCoding.decode(SnapshotRecord.self, from: frame) else {
                rejected.increment()
                logger.error("undecodable snapshot record; asking for the chunk again", metadata: ["source": "\(source.name)"])
                retryAfter = .now + .seconds(1)
                return nil
            }
            decoded.append(record)
        }
        let chunk = SnapshotChunk(source: source.name, id: header.id, sequence: header.sequence, records: decoded,
                                  cursor: bootstrap.accepted, next: header.next)
        bootstrap.id = header.id
        bootstrap.accepted = header.next
        bootstrap.lastHandedOut = header.next == nil
        self.bootstrap = bootstrap
        return chunk
    }

    /// The chunk was folded and committed with the reader's state; after the last one the
    /// stream stands at the snapshot's sequence and goes on with the events after it.
    package func committed(_ chunk: SnapshotChunk) {
        guard var bootstrap, chunk.id == bootstrap.id else { return }
        bootstrap.committed = chunk.next
        guard chunk.isLast else {
            self.bootstrap = bootstrap
            return
        }
        self.bootstrap = nil
        applied = chunk.sequence
        accepted = chunk.sequence
        appliedGauge.record(chunk.sequence)
        awaitingFirstReplay = false
        noteHead(chunk.sequence)
        logger.notice("bootstrapped from the source's snapshot", metadata: [
            "source": "\(source.name)", "snapshot": "\(chunk.id)", "sequence": "\(chunk.sequence)",
        ])
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
        let request: Data
        if let bootstrap {
            request = try ContractCoding.encode(SnapshotRequest(source: source.name, snapshot: .init(
                versions: Self.snapshotVersions, id: bootstrap.id, cursor: bootstrap.accepted)))
            repairsGap = false
        } else {
            request = try ContractCoding.encode(ReplayRequest(source: source.name, after: accepted, limit: limit))
        }
        if try dealer.send([request], wait: false) {
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

    /// The batch failed to commit: forget what it accepted, so replay brings it again (or,
    /// during a bootstrap, the snapshot's chunks from the last committed one).
    package func rollBack() {
        accepted = applied
        if var bootstrap {
            bootstrap.accepted = bootstrap.committed
            bootstrap.lastHandedOut = false
            self.bootstrap = bootstrap
        }
    }
}
