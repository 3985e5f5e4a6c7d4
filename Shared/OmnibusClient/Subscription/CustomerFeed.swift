import Logging
import OmnibusBus
import OmnibusContracts

/// Follows one customer on the bus for a channel front end (or a tool): every source's log
/// is replayed, then live events are read, and all of them are folded with the contract's
/// ``CustomerViews``, so this front end shows the customer exactly as every other channel
/// that has seen the same events.
public enum CustomerFeed {
    /// Calls `onChange` with the customer's view once every source has been replayed (nil
    /// when no event concerns the customer), then again after each change, until
    /// `onChange` returns false, `shouldStop` says so, or the calling task is cancelled.
    /// A merged-away id follows its survivor. `onChange` runs on the feed's own thread
    /// (the one that owns its sockets): keep it quick, hand the view on.
    ///
    /// Throws `unavailable` when the sources cannot be replayed within `catchUpTimeout`,
    /// naming them, and rethrows an event that cannot be read at all.
    public static func follow(
        customerId: String, sources: [SubscriptionSource], context: ZMQContext, logger: Logger,
        catchUpTimeout: Duration = .seconds(30),
        shouldStop: @escaping @Sendable () -> Bool = { false },
        onChange: @escaping @Sendable (CustomerView?) -> Bool
    ) async throws {
        let stop = StopSignal()
        try await DedicatedThread.run(name: "customer-feed", stop: stop) {
            let tap = try BusTap(sources: sources, startAfter: [:], context: context, logger: logger)
            let deadline = ContinuousClock.now + catchUpTimeout
            var views = CustomerViews()
            var reported = false
            var shown: CustomerView?
            var done = false
            var failure: (any Error)?
            try tap.run(shouldStop: {
                if done || failure != nil || stop.isStopped || shouldStop() { return true }
                guard tap.isCaughtUp else { return ContinuousClock.now > deadline }
                let current = views.view(of: customerId)
                if !reported || current != shown {
                    reported = true
                    shown = current
                    done = !onChange(current)
                }
                return done
            }) { item in
                guard case .event(let event) = item else { return true }
                do { try views.apply(event.envelope) } catch { failure = error }
                return failure == nil
            }
            if let failure { throw failure }
            if !reported && !stop.isStopped && !shouldStop() {
                throw OmnibusError(.unavailable, "the event logs of \(sources.map(\.name).joined(separator: ", ")) were not "
                                   + "replayed within \(catchUpTimeout); is every service up?")
            }
        }
    }
}
