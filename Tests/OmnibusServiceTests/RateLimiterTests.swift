import Foundation
@testable import OmnibusService
import Testing

@Suite("Rate limits per principal, else per connection")
struct RateLimiterTests {
    @Test func aBurstIsAllowedThenTheAverageRate() {
        var limiter = RateLimiter(.init(ratePerSecond: 10, burst: 5))
        let start = ContinuousClock.now
        let client = RateLimiter.Client.connection(Data("a".utf8))
        let burst = (0..<7).map { _ in limiter.allow(client, now: start) }
        #expect(burst == [true, true, true, true, true, false, false])
        let later = [limiter.allow(client, now: start + .milliseconds(100)), limiter.allow(client, now: start + .milliseconds(100))]
        #expect(later == [true, false], "a tenth of a second earns one request")
        let other = limiter.allow(.connection(Data("b".utf8)), now: start)
        #expect(other, "another connection has its own bucket")
    }

    @Test func idleClientsAreForgottenSoNewConnectionsCostBoundedMemory() {
        var limiter = RateLimiter(.init(ratePerSecond: 1, burst: 1), maxClients: 3)
        let start = ContinuousClock.now
        for index in 0..<3 { _ = limiter.allow(.connection(Data([UInt8(index)])), now: start) }
        // The first three have refilled by now; a fourth client makes the limiter forget them.
        let fourth = limiter.allow(.connection(Data([9])), now: start + .seconds(5))
        #expect(fourth)
        #expect(limiter.trackedClients == 1)
        let returning = limiter.allow(.connection(Data([0])), now: start + .seconds(5))
        #expect(returning, "a forgotten client starts with a full bucket")
    }
}
