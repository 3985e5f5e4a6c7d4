/// How a reader of the bus reads: the service runtime's subscriber, a front end's
/// ``BusEvents`` or ``BusTap`` — one set of settings for the one reader under them all.
public struct BusReadingOptions: Sendable {
    /// libzmq's queue for live messages; past it they are dropped and later replayed.
    public var receiveHighWaterMark: Int32 = 100_000
    /// The kernel receive buffer (0: the system's).
    public var receiveBufferBytes: Int32 = 0
    /// Live messages read at most before they are handed out (applied) as one batch.
    public var maxLiveBatch = 4_000
    /// Events asked for per replay request.
    public var replayBatch = 5_000
    /// A replay request with no answer after this long is sent again.
    public var replayTimeoutMilliseconds = 3_000

    public init() {}
}
