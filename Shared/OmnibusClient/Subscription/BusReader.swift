import Foundation
import Logging
import OmnibusBus
import OmnibusContracts

/// The one reader of the bus, under both the service runtime's subscriber and ``BusTap``
/// (front ends, tools): it subscribes to each source first, asks its replay endpoint for
/// what follows where the reader stands, then reads live events and replay replies — each
/// source in order, duplicates dropped, a gap or a heartbeat ahead repaired by replay.
/// What it hands out, the caller commits (``SourceStream/committed(through:)``) or, if it
/// could not, rolls back (``SourceStream/rollBack()``), and replay brings it again.
///
/// Owns ZeroMQ sockets, so it stays on the thread that made it (not `Sendable`).
package final class BusReader {
    /// Per source, in the order given.
    package let streams: [SourceStream]
    private let streamsByName: [String: SourceStream]
    private let subscriber: ZMQSocket
    /// Reports each (re)connection of ``subscriber`` to a source's events endpoint.
    private let connections: ZMQSocket
    private let sockets: [ZMQSocket]
    private let options: BusReadingOptions

    /// Subscribes to `sources` and positions each after its sequence in `startAfter`
    /// (0, the start of its log, when absent) in its log epoch `epochs` (taken from the source
    /// when absent; see ``SourceStream/noteEpoch(_:)``). A source in `snapshotsOf` is rebuilt from its
    /// snapshot when the reader's position is older than its retained log (the chunks go to
    /// ``read(atMost:rejected:gapRepaired:snapshot:deliver:)``'s `snapshot`); for the others
    /// such events are counted as lost and skipped, and logged at `lossLevel`. Nothing is asked
    /// for until ``requestReplays()``.
    package init(
        sources: [SubscriptionSource], startAfter: [String: Int64], epochs: [String: String] = [:], snapshotsOf: Set<String> = [],
        lossLevel: Logger.Level = .notice, context: ZMQContext,
        logger: Logger, metrics: MetricsRecorder, options: BusReadingOptions
    ) throws {
        subscriber = try ZMQSocket(context: context, type: .subscriber)
        try subscriber.setReceiveHighWaterMark(options.receiveHighWaterMark)
        if options.receiveBufferBytes > 0 { try subscriber.setReceiveBuffer(bytes: options.receiveBufferBytes) }
        try subscriber.setMaxMessageSize(bytes: Int64(EnvelopeWriter.maxEnvelopeBytes + 4096))
        // Set up before the first connect, so no connection goes unreported.
        let monitorAddress = "inproc://omnibus-bus-reader-\(UUID().uuidString)"
        try subscriber.monitorConnections(at: monitorAddress)
        connections = try ZMQSocket(context: context, type: .pair, lingerMilliseconds: 0)
        try connections.connect(monitorAddress)
        var streams: [SourceStream] = []
        for source in sources {
            // Subscribe before asking for replay: nothing published in between can be missed.
            try subscriber.connect(source.events)
            try subscriber.subscribe(Topic.sourcePrefix(source.name))
            streams.append(try SourceStream(
                source: source, applied: startAfter[source.name] ?? 0, epoch: epochs[source.name], readsSnapshots: snapshotsOf.contains(source.name), lossLevel: lossLevel,
                context: context, logger: logger, metrics: metrics))
        }
        self.streams = streams
        streamsByName = Dictionary(uniqueKeysWithValues: streams.map { ($0.source.name, $0) })
        sockets = [subscriber] + streams.map(\.dealer) + [connections]
        self.options = options
    }

    /// The stream of `source`, to commit or roll back what was handed out of it.
    package func stream(named source: String) -> SourceStream? { streamsByName[source] }

    /// Per source: applied (committed) through, announced head, gaps repaired.
    package var progress: [String: SourceProgress] {
        Dictionary(uniqueKeysWithValues: streams.map { ($0.source.name, $0.progress) })
    }

    /// Every source has answered and everything it announced is committed.
    package var isCaughtUp: Bool { streams.allSatisfy(\.isCaughtUp) }

    /// Asks each source for what is missing — at the start, after a gap, when a heartbeat
    /// is ahead, or again when a request went unanswered — and returns where a request
    /// repairs a gap (the source, and the sequence after which events were missing).
    package func requestReplays() throws -> [(source: String, after: Int64)] {
        try streams.compactMap { try requestReplay(of: $0) }
    }

    /// Waits for messages (at most `milliseconds`, less when a source is due to be asked
    /// again) and hands them to `deliver` in order: each replay reply's events — after the
    /// next chunk was asked for, so the source reads it while the caller applies these — and
    /// live events in batches. Snapshot chunks of a bootstrap go to `snapshot`, which commits
    /// them (``SourceStream/committed(_:)``) or rolls back. Unusable live messages go to
    /// `rejected`, repaired gaps to `gapRepaired`. Returns false as soon as `deliver` does.
    package func read(
        atMost milliseconds: Int,
        rejected: (LiveMessage.Rejection) -> Void,
        gapRepaired: (_ source: String, _ after: Int64) -> Void,
        snapshot: (SnapshotChunk) -> Void = { _ in },
        deliver: ([ReceivedEvent]) throws -> Bool
    ) throws -> Bool {
        let timeout = streams.reduce(milliseconds) { $1.pollMilliseconds(atMost: $0) }
        let readable = try ZMQPoller.poll(sockets, timeoutMilliseconds: timeout)
        // The connection reports are a safeguard: one that cannot be read must not stop the reader.
        if readable[sockets.count - 1] { try? noteConnections() }
        for (index, stream) in streams.enumerated() where readable[index + 1] {
            while let frames = try stream.dealer.receive(wait: false) {
                let reply = stream.take(frames)
                if let gap = try requestReplay(of: stream) { gapRepaired(gap.source, gap.after) }
                switch reply {
                case .events(let events) where !events.isEmpty:
                    guard try deliver(events) else { return false }
                case .events:
                    break
                case .snapshot(let chunk):
                    snapshot(chunk)
                }
            }
        }
        if readable[0] {
            var batch: [ReceivedEvent] = []
            let generations = streams.map(\.generation)
            while batch.count < options.maxLiveBatch, let frames = try subscriber.receive(wait: false) {
                switch LiveMessage.route(frames, to: streams) {
                case .success(let event?): batch.append(event)
                case .success(nil): continue
                case .failure(let rejection): rejected(rejection)
                }
            }
            // A heartbeat in this batch announced a restored source: its events read before it go.
            if streams.map(\.generation) != generations {
                batch.removeAll { event in
                    guard let index = streams.firstIndex(where: { $0.source.name == event.header.source }) else { return false }
                    return streams[index].generation != generations[index]
                }
            }
            if !batch.isEmpty {
                guard try deliver(batch) else { return false }
            }
        }
        return true
    }

    /// A new connection to a source's events endpoint may be to a new process of it — one
    /// restored from a backup, whose live events reuse sequence numbers — so the stream takes
    /// no live event until a heartbeat or replay reply has told it the source's log epoch.
    private func noteConnections() throws {
        while let frames = try connections.receive(wait: false) {
            guard ConnectionEvent(monitorFrames: frames) == .succeeded else { continue }
            let endpoint = frames.count > 1 ? String(decoding: frames[1], as: UTF8.self) : ""
            let matching = streams.filter { $0.source.events == endpoint }
            // An endpoint reported in another spelling (a resolved host name): every stream re-checks.
            for stream in matching.isEmpty ? streams : matching { stream.reconnected() }
        }
    }

    private func requestReplay(of stream: SourceStream) throws -> (source: String, after: Int64)? {
        let gapsBefore = stream.progress.gapsRepaired
        try stream.requestReplayIfNeeded(limit: options.replayBatch, timeoutMilliseconds: options.replayTimeoutMilliseconds)
        guard stream.progress.gapsRepaired > gapsBefore, let after = stream.lastGapAfter else { return nil }
        return (stream.source.name, after)
    }
}
