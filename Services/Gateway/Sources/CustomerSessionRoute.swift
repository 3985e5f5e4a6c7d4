import Foundation
import Hummingbird
import NIOCore
import OmnibusClient
import OmnibusContracts

/// `POST /v1/customer-sessions` `{"customerId", "lifetimeSeconds"?}`: a front end that has
/// signed a customer in gets a token that acts for that customer only (``CustomerSessions``).
/// The caller must be a front end's server-side token (``Callers/Caller/signsIn``) whose
/// channel holds the `customers.sessions` permission; the customer must be
/// known to identity, and a merged-away id gets a token for the profile it went into.
struct CustomerSessionRoute: Sendable {
    let access: Access
    let identity: CommandClient?
    let timeout: Duration
    /// What a channel must be allowed in the policy to sign its customers in.
    static let permission = "customers.sessions"

    struct Ask: Decodable {
        var customerId: String
        var lifetimeSeconds: Int?
    }

    struct Issued: Encodable {
        var token: String
        var customerId: String
        var channel: String
        var expiresAt: Timestamp
    }

    func handle(_ request: Request) async throws -> Response {
        let caller: Callers.Caller
        switch access.check(request, command: Self.permission) {
        case .refused(let response): return response
        case .allowed(let who): caller = who
        }
        // A public front end's token ends up in a browser or an app: with it, anyone could
        // claim to be any customer. Only the front end's server, which checked the sign-in, may.
        guard caller.signsIn else {
            return CommandRoutes.error(.forbidden, "only a front end's server-side token (\"signsIn\": true in tokens.json) signs customers in")
        }
        let ask: Ask
        do {
            ask = try ContractCoding.decode(Ask.self, from: Data(try await request.body.collect(upTo: 4096).readableBytesView))
        } catch is NIOTooManyBytesError {
            return CommandRoutes.error(.tooLarge, "the body is larger than 4096 bytes")
        } catch {
            return CommandRoutes.error(.invalidArgument, "the body is {\"customerId\", \"lifetimeSeconds\"?}: \(ContractCoding.explain(error))")
        }
        let lifetime = ask.lifetimeSeconds ?? CustomerSessions.defaultLifetimeSeconds
        guard RequestId.isValid(ask.customerId) else { return CommandRoutes.error(.invalidArgument, "a customer id is 1 to 128 characters") }
        guard (1...CustomerSessions.maxLifetimeSeconds).contains(lifetime) else {
            return CommandRoutes.error(.invalidArgument, "lifetimeSeconds is 1 to \(CustomerSessions.maxLifetimeSeconds)")
        }
        guard let identity else { return CommandRoutes.response(CommandReply<JSONValue>(requestId: "", error: IdentityProfiles.notFronted)) }
        // A token for a customer identity does not know, or no longer knows, would be a key to
        // nothing; one for a merged-away id acts for the profile it went into. Asked as the
        // front end acting for that customer, as every request of the token will be.
        let customerId: String
        do {
            let profile = try await IdentityProfiles.profile(of: ask.customerId, askedBy: caller, from: identity, timeout: timeout)
            guard profile.status != .erased else { return CommandRoutes.error(.notFound, "identity has erased that customer") }
            customerId = profile.customerId
        } catch let error as OmnibusError {
            return CommandRoutes.response(CommandReply<JSONValue>(requestId: "", error: error))
        }
        let issued = try access.sessions.issue(for: caller, customerId: customerId, lifetimeSeconds: lifetime)
        let body = try ContractCoding.encode(Issued(token: issued.token, customerId: customerId, channel: caller.channel, expiresAt: issued.expiresAt))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
