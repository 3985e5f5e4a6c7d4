@testable import NotificationsService
import Testing

@Suite("Retries: exponential backoff with jitter, within the policy's bounds")
struct RetryPolicyTests {
    @Test("each wait is between half and all of the doubled backoff, and never past the maximum, also below a second")
    func backoffStaysWithinItsBounds() {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200))
        for _ in 0..<50 {
            #expect((10...20).contains(policy.backoffMilliseconds(afterAttempt: 1)))
            #expect((40...80).contains(policy.backoffMilliseconds(afterAttempt: 3)))
            #expect((100...200).contains(policy.backoffMilliseconds(afterAttempt: 9)), "capped at 200 ms, not at 0")
        }
    }
}
