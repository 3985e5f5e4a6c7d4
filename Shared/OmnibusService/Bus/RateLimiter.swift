import Foundation

/// A token bucket per client: the authenticated principal when CURVE names one (all its
/// connections share the bucket, so opening more connections buys no more), else the
/// connection (its ROUTER routing id). `ratePerSecond` requests on average, bursts of
/// `burst`. Used on one socket thread only.
///
/// Idle clients' buckets are forgotten once more than `maxClients` are tracked, so a flood
/// of new connections costs bounded memory too.
public struct RateLimiter {
    /// How many requests a client may make: `ratePerSecond` on average, `burst` at once.
    public struct Limit: Sendable {
        public var ratePerSecond: Double
        public var burst: Double

        public init(ratePerSecond: Double, burst: Double) {
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }
    }

    /// Whose bucket a request takes from.
    public enum Client: Hashable, Sendable {
        case principal(String)
        case connection(Data)
        /// One bucket for every caller: a limit on the endpoint as a whole.
        case everyone
    }

    let limit: Limit
    let maxClients: Int
    private var buckets: [Client: (tokens: Double, refilledAt: ContinuousClock.Instant)] = [:]

    init(_ limit: Limit, maxClients: Int = 10_000) {
        self.limit = limit
        self.maxClients = maxClients
    }

    /// Takes a token from `client`'s bucket; false when it is empty.
    mutating func allow(_ client: Client, now: ContinuousClock.Instant = .now) -> Bool {
        var (tokens, refilledAt) = buckets[client] ?? (limit.burst, now)
        let elapsed = Double((now - refilledAt) / .milliseconds(1)) / 1000
        tokens = min(limit.burst, tokens + elapsed * limit.ratePerSecond)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        buckets[client] = (tokens, now)
        if buckets.count > maxClients { forgetIdle(now: now) }
        return allowed
    }

    /// How many clients have a bucket now.
    var trackedClients: Int { buckets.count }

    /// Drops buckets that have refilled completely: their clients are as new.
    private mutating func forgetIdle(now: ContinuousClock.Instant) {
        let refill = Duration.milliseconds(Int64(limit.burst / limit.ratePerSecond * 1000) + 1)
        buckets = buckets.filter { now - $0.value.refilledAt < refill }
        if buckets.count > maxClients { buckets.removeAll(keepingCapacity: true) }
    }
}
