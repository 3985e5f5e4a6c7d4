import Foundation
import OmnibusClient
import OmnibusContracts

/// Whom a public front end's token (``CommandPolicy/resolvesOnlyAnonymous(_:)``) may act for:
/// anonymous customers only — profiles identity holds as `provisional`, made for a device
/// before anyone signed in. A registered customer's cart, wallet or orders need a customer
/// token (`POST /v1/customer-sessions`), so knowing a customer's id is not enough to read them.
///
/// Identity is asked on every such request, not cached: a profile turns registered the moment
/// a verified e-mail is linked, and from then on the page's token must stop working for it.
struct AnonymousCustomers: Sendable {
    let identity: CommandClient?
    let timeout: Duration

    /// nil when `caller` may act for `customerId`; otherwise the refusal. Unknown, registered,
    /// merged and erased customers get the same 403, so the answer tells nothing about the id.
    func refusal(customerId: String, for caller: Callers.Caller) async -> OmnibusError? {
        guard let identity else { return OmnibusError(.unavailable, "the gateway fronts no identity service to check the customer with") }
        let refused = OmnibusError(.forbidden, "a public front end's token acts for anonymous (provisional) customers only; "
                                   + "a signed-in customer's requests need a customer token (POST /v1/customer-sessions)")
        guard RequestId.isValid(customerId) else { return refused }
        // Asked as the front end acting for that customer, as a customer token's requests are.
        let request = CommandRequest(id: UUID().uuidString, command: GetProfile.name, channel: caller.channel, actingFor: customerId,
                                     data: GetProfile(customerId: customerId))
        do {
            let profile = try await identity.send(request, expecting: CustomerProfile.self, timeout: timeout).get()
            return profile.status == .provisional && profile.customerId == customerId ? nil : refused
        } catch let error as OmnibusError where error.code == .notFound || error.code == .forbidden {
            return refused
        } catch let error as OmnibusError {
            return error
        } catch {
            return OmnibusError(.unavailable, "identity could not be asked about the customer: \(error)")
        }
    }
}
