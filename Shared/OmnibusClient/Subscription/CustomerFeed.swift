import Logging
import OmnibusBus
import OmnibusContracts

/// Follows one customer on the bus for a channel front end (or a tool): every source's log
/// is replayed — from its snapshot where the source no longer keeps its oldest events — then
/// live events are read, and all of them are folded with the contract's ``CustomerViews``,
/// so this front end shows the customer exactly as every other channel that has seen the
/// same events.
public enum CustomerFeed {
    /// The customer's view once every source has been replayed (nil when no event concerns
    /// the customer), then again after each change, from any channel, until the loop ends
    /// or its task is cancelled. A merged-away id follows its survivor. Only the newest view
    /// waits for a slow reader: a front end shows the customer as they are now.
    ///
    /// Throws `unavailable` when the sources cannot be replayed within `catchUpTimeout`,
    /// naming them, and an event that cannot be read at all.
    public static func views(
        of customerId: String, sources: [SubscriptionSource], context: ZMQContext, logger: Logger,
        catchUpTimeout: Duration = .seconds(30)
    ) -> AsyncThrowingStream<CustomerView?, any Error> {
        var options = BusEvents.Options()
        options.catchUpTimeout = catchUpTimeout
        options.threadName = "customer-feed"
        // A source that no longer keeps the events from the start gives its snapshot instead.
        options.snapshotsOf = Set(sources.map(\.name))
        let events = BusEvents(sources: sources, context: context, logger: logger, options: options)
        return AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let folding = Task {
                do {
                    var views = CustomerViews()
                    var live = false
                    var shown: CustomerView??
                    for try await item in events {
                        switch item {
                        case .event(let event):
                            try views.apply(event.envelope)
                            guard live else { continue }
                        case .snapshot(let chunk):
                            views.apply(snapshot: chunk.records, of: chunk.source, through: chunk.sequence)
                            guard live else { continue }
                        case .caughtUp:
                            live = true
                        case .gapRepaired:
                            continue
                        }
                        let current = views.view(of: customerId)
                        if shown == nil || shown! != current {
                            shown = .some(current)
                            continuation.yield(current)
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in folding.cancel() }
        }
    }
}
