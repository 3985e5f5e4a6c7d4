import Foundation
import OmnibusClient
import OmnibusContracts

/// How the gateway asks identity about a customer before acting for them.
enum IdentityProfiles {
    /// The answer when the gateway is configured without an identity service.
    static let notFronted = OmnibusError(.unavailable, "the gateway fronts no identity service to check the customer with")

    /// The profile `identity` holds for `customerId`, asked as `caller`'s front end acting for
    /// that customer — as every request of a customer token, or of a public token for its
    /// visitor, is sent. Throws identity's error (`not_found` for an unknown id).
    static func profile(of customerId: String, askedBy caller: Callers.Caller, from identity: CommandClient,
                        timeout: Duration) async throws -> CustomerProfile {
        try await identity.send(
            CommandRequest(id: RequestId.random(), command: GetProfile.name, channel: caller.channel, actingFor: customerId,
                           data: GetProfile(customerId: customerId)),
            expecting: CustomerProfile.self, timeout: timeout).get()
    }
}
