import OmnibusConfiguration

extension SuiteConfiguration {
    /// Where to subscribe to `service`'s events and ask for their replay.
    public func subscriptionSource(of service: String) throws -> SubscriptionSource {
        let endpoints = try endpoints(of: service)
        return SubscriptionSource(name: service, events: endpoints.events, replay: endpoints.replay)
    }
}
