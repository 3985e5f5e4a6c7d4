import Dispatch
import Logging
import OmnibusBus
import OmnibusContracts
import Synchronization

/// The bus as an `AsyncSequence`: `for try await item in BusEvents(sources: …)` reads the
/// sources' events as ``BusTap`` does — replayed from where you say, then live, each
/// source in order, nothing lost — for a front end or tool that awaits them.
///
/// Each iteration runs its own tap on a thread of its own, which owns the sockets; ending
/// the loop, or cancelling its task, stops that thread and closes them. At most
/// `bufferSize` items wait for the reader: while the buffer is full the tap stops reading,
/// and what the sources publish meanwhile queues in libzmq up to its high-water mark and
/// then is dropped there — a gap that replay repairs once the reader catches up. So a reader
/// that never reads costs bounded memory and, once it reads again, still misses nothing.
public struct BusEvents: AsyncSequence, Sendable {
    public typealias Element = BusTap.Item

    public struct Options: Sendable {
        /// Items handed out but not yet read, at most.
        public var bufferSize = 1_000
        /// How the tap reads the bus. Its high-water mark bounds what libzmq queues while the
        /// buffer is full; beyond it messages are dropped, and replay repairs the gap.
        public var reading = BusTap.defaultReading
        /// Finish once caught up (after handing out ``BusTap/Item/caughtUp``) instead of
        /// following live.
        public var untilCaughtUp = false
        /// Throw `unavailable` if the sources are not caught up within this time (a service
        /// down); nil waits as long as it takes.
        public var catchUpTimeout: Duration?
        /// Sources whose snapshot is handed out (``BusTap/Item/snapshot(_:)``) when the events
        /// to read are older than the source keeps; for the others those are skipped.
        public var snapshotsOf: Set<String> = []
        /// The name of the tap's thread, as `top -H` shows it.
        public var threadName = "bus-events"
        public init() {}
    }

    private let sources: [SubscriptionSource]
    private let startAfter: [String: Int64]
    private let context: ZMQContext
    private let logger: Logger
    private let options: Options

    /// Reads `sources`, each from after its sequence in `startAfter` (0, the start of its
    /// log, when absent).
    public init(
        sources: [SubscriptionSource], startAfter: [String: Int64] = [:], context: ZMQContext, logger: Logger,
        options: Options = Options()
    ) {
        self.sources = sources
        self.startAfter = startAfter
        self.context = context
        self.logger = logger
        self.options = options
    }

    public func makeAsyncIterator() -> Iterator {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Element.self)
        let stop = StopSignal()
        let space = BufferSpace(slots: options.bufferSize)
        continuation.onTermination = { _ in stop.stop() }
        let (sources, startAfter, context, logger, options) = (sources, startAfter, context, logger, options)
        DedicatedThread.start(name: options.threadName) {
            do {
                let tap = try BusTap(sources: sources, startAfter: startAfter, snapshotsOf: options.snapshotsOf, context: context,
                                     logger: logger, options: options.reading)
                let deadline = options.catchUpTimeout.map { ContinuousClock.now + $0 }
                var caughtUp = false
                var timedOut = false
                try tap.run(shouldStop: {
                    if !caughtUp, let deadline, ContinuousClock.now > deadline { timedOut = true }
                    return stop.isStopped || timedOut
                }) { item in
                    // Wait for the reader to make room; the tap's sockets queue meanwhile.
                    guard space.take(unless: stop) else { return false }
                    continuation.yield(item)
                    if case .caughtUp = item {
                        caughtUp = true
                        return !options.untilCaughtUp
                    }
                    return true
                }
                if timedOut {
                    throw OmnibusError(.unavailable, "the event logs of \(sources.map(\.name).joined(separator: ", ")) were not "
                                       + "replayed within \(options.catchUpTimeout!); is every service up?")
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return Iterator(base: stream.makeAsyncIterator(), space: space)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Element, any Error>.AsyncIterator
        let space: BufferSpace

        public mutating func next() async throws -> Element? {
            let item = try await base.next()
            if item != nil { space.give() }
            return item
        }
    }
}

/// The free slots of a ``BusEvents`` buffer: the tap takes one per item it hands out and
/// waits while there is none; the reader gives one back per item it reads. Counted apart
/// from the semaphore that wakes the tap, which only ever gains, so the loop may end with
/// items unread without a semaphore being freed below its start value (libdispatch traps).
final class BufferSpace: Sendable {
    private let free: Mutex<Int>
    private let freed = DispatchSemaphore(value: 0)

    init(slots: Int) { free = Mutex(slots) }

    /// Takes a slot, waiting (and looking at `stop` every 100 ms) while the buffer is full;
    /// false when stopped first.
    func take(unless stop: StopSignal) -> Bool {
        while true {
            let taken = free.withLock { free in
                guard free > 0 else { return false }
                free -= 1
                return true
            }
            if taken { return true }
            if stop.isStopped { return false }
            _ = freed.wait(timeout: .now() + .milliseconds(100))
        }
    }

    /// Gives a slot back.
    func give() {
        free.withLock { $0 += 1 }
        freed.signal()
    }
}
