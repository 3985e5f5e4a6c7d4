import Foundation
import OmnibusClient
import OmnibusContracts

/// Whom a public front end's token (``CommandPolicy/resolvesOnlyAnonymous(_:)``) may act for:
/// anonymous customers only — profiles identity holds as `provisional` and knows by device
/// ids alone, made for an app or a browser before anyone gave an e-mail, a phone or a card.
/// Once a customer has such an identifier (verified or not), their cart, wallet and checkout
/// take a customer token (`POST /v1/customer-sessions`), so knowing a customer's id is not
/// enough to use them.
///
/// Identity is asked on every such request, not cached: the moment an e-mail is linked, the
/// page's token must stop working for that customer.
struct AnonymousCustomers: Sendable {
    let identity: CommandClient?
    let timeout: Duration

    static let refused = OmnibusError(
        .forbidden, "a public front end's token acts only for anonymous customers (known by device ids alone); "
            + "a customer with an e-mail, a phone or a card is served through their customer token (POST /v1/customer-sessions)")

    /// nil when `caller` may act for `customerId`; otherwise the refusal. Unknown, named,
    /// registered, merged and erased customers get the same 403, so the answer tells nothing
    /// about the id; `unavailable` when identity cannot be asked.
    func refusal(customerId: String, for caller: Callers.Caller) async -> OmnibusError? {
        guard let identity else { return IdentityProfiles.notFronted }
        guard customerId.hasPrefix("cus_"), RequestId.isValid(customerId) else { return Self.refused }
        do {
            let profile = try await IdentityProfiles.profile(of: customerId, askedBy: caller, from: identity, timeout: timeout)
            return Self.isAnonymous(profile, asked: customerId) ? nil : Self.refused
        } catch let error as OmnibusError where error.code == .unavailable || error.code == .internal {
            return OmnibusError(.unavailable, "identity could not be asked about the customer; retry")
        } catch is OmnibusError {
            return Self.refused
        } catch {
            return OmnibusError(.unavailable, "identity could not be asked about the customer; retry")
        }
    }

    /// A provisional profile with no identifier but device ids, asked for by its own id (not a merged-away one).
    static func isAnonymous(_ profile: CustomerProfile, asked customerId: String) -> Bool {
        profile.customerId == customerId && profile.status == .provisional && profile.identifiers.allSatisfy { $0.kind == .device }
    }
}
