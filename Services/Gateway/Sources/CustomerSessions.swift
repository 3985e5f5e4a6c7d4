import Crypto
import Foundation
import OmnibusContracts

/// Tokens that act for one signed-in customer. A front end signs its customers in itself
/// (password, one-time code, single sign-on: not the gateway's business) and then asks the
/// gateway, with its own token, for a customer token (`POST /v1/customer-sessions`). A
/// request with that token may call only the policy's `customer` commands, about that
/// customer only, and reaches the bus as its front end's channel acting for the customer
/// (docs/SECURITY.md, "Acting for a customer").
///
/// A token is `cst1.<claims>.<mac>`: the claims (front end, channel, customer, expiry) in
/// base64url JSON, signed with HMAC-SHA256 under the gateway's session key. Nothing is
/// stored: a token is valid until it expires or the key changes.
public struct CustomerSessions: Sendable {
    /// What every customer token starts with (the format's version).
    public static let prefix = "cst1."
    /// How long a token lives when the request does not say, and at most.
    public static let defaultLifetimeSeconds = 900
    public static let maxLifetimeSeconds = 86_400

    private let key: SymmetricKey

    /// Tokens signed with `key` (at least 32 bytes).
    public init(key: Data) throws {
        guard key.count >= 32 else { throw GatewayConfigurationError("the customer session key must be at least 32 bytes") }
        self.key = SymmetricKey(data: key)
    }

    /// Tokens signed with a key made now: valid until the gateway restarts.
    public static func ephemeral() -> CustomerSessions {
        CustomerSessions(key: SymmetricKey(size: .bits256))
    }

    private init(key: SymmetricKey) { self.key = key }

    /// The signed claims.
    struct Claims: Codable, Equatable {
        /// The front end that asked for the token (its name in tokens.json).
        var frontEnd: String
        var channel: String
        var customerId: String
        /// Milliseconds since 1970.
        var expires: Int64
    }

    /// A token acting for `customerId` for `caller`'s front end and channel, and when it expires.
    public func issue(for caller: Callers.Caller, customerId: String, lifetimeSeconds: Int,
                      now: Timestamp = .now()) throws -> (token: String, expiresAt: Timestamp) {
        let expires = Timestamp(millisecondsSince1970: now.millisecondsSince1970 + Int64(lifetimeSeconds) * 1000)
        let claims = Claims(frontEnd: caller.frontEnd, channel: caller.channel, customerId: customerId, expires: expires.millisecondsSince1970)
        let signed = Self.prefix + Self.base64URL(try ContractCoding.encode(claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: key)
        return (signed + "." + Self.base64URL(Data(mac)), expires)
    }

    /// The caller a customer token stands for: nil when it is malformed, not signed with this
    /// gateway's key, or expired.
    public func caller(token: String, now: Timestamp = .now()) -> Callers.Caller? {
        guard token.hasPrefix(Self.prefix), token.utf8.count <= 1024, let dot = token.lastIndex(of: ".") else { return nil }
        let signed = token[..<dot]
        guard signed.count > Self.prefix.count, let mac = Self.data(base64URL: token[token.index(after: dot)...]),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(signed.utf8), using: key),
              let json = Self.data(base64URL: signed.dropFirst(Self.prefix.count)),
              let claims = try? ContractCoding.decode(Claims.self, from: json),
              claims.expires > now.millisecondsSince1970
        else { return nil }
        return Callers.Caller(frontEnd: claims.frontEnd, channel: claims.channel, customerId: claims.customerId)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
