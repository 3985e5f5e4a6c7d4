import Crypto
import Foundation
import OmnibusConfiguration
import OmnibusContracts

/// Who may call the gateway: each front end's token (kept as its SHA-256, never in clear),
/// the channel it speaks for, and whether it may sign customers in, from `tokens.json`.
public struct Callers: Sendable {
    /// One front end, or one customer signed in to it (``CustomerSessions``).
    public struct Caller: Sendable, Equatable {
        /// The front end's name (`web-shop`, `store-berlin-till-2`), for logs.
        public var frontEnd: String
        /// The channel its commands come from; the gateway sets it, never the request body.
        public var channel: String
        /// The signed-in customer a customer token acts for; nil for a front end's own token.
        public var customerId: String?
        /// Whether this is a front end's server-side token, trusted to sign its customers in
        /// (`"signsIn": true` in tokens.json): never one that a browser or an app holds.
        public var signsIn: Bool

        public init(frontEnd: String, channel: String, customerId: String? = nil, signsIn: Bool = false) {
            self.frontEnd = frontEnd
            self.channel = channel
            self.customerId = customerId
            self.signsIn = signsIn
        }

        /// Scopes idempotency keys and stream quotas: the front end, and for a customer token
        /// a digest of the customer too, so that one customer never meets another's key.
        public var name: String {
            guard let customerId else { return frontEnd }
            return frontEnd + "." + HexEncoding.lowercase(SHA256.hash(data: Data(customerId.utf8))).prefix(16)
        }
    }

    private let byHash: [String: Caller]

    /// `{"tokens": [{"name", "channel", "sha256"}]}`.
    public static func load(path: String) throws -> Callers {
        struct File: Decodable {
            struct Token: Decodable { var name: String; var channel: String; var sha256: String; var signsIn: Bool? }
            var tokens: [Token]
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw GatewayConfigurationError("\(path) cannot be read") }
        let file: File
        do { file = try ContractCoding.decode(File.self, from: data) } catch {
            throw GatewayConfigurationError("\(path) is not {\"tokens\": [{\"name\", \"channel\", \"sha256\"}]}: \(ContractCoding.explain(error))")
        }
        var byHash: [String: Caller] = [:]
        var names = Set<String>()
        for token in file.tokens {
            // The name prefixes idempotency keys: it must not contain their separator, nor repeat.
            guard !token.name.isEmpty, token.name.count <= 40,
                  token.name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }),
                  names.insert(token.name).inserted
            else { throw GatewayConfigurationError("\(path): token name '\(token.name.prefix(40))' must be unique, 1–40 of a-z, 0-9, - and _") }
            let hash = token.sha256.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw GatewayConfigurationError("\(path): token '\(token.name)' needs sha256 as 64 hex digits")
            }
            guard byHash[hash] == nil else { throw GatewayConfigurationError("\(path): token '\(token.name)' repeats another's hash") }
            byHash[hash] = Caller(frontEnd: token.name, channel: token.channel, signsIn: token.signsIn ?? false)
        }
        return Callers(byHash: byHash)
    }

    init(byHash: [String: Caller]) { self.byHash = byHash }

    /// The caller a bearer token stands for, or nil when it is unknown.
    public func caller(token: String) -> Caller? { byHash[Self.hash(token)] }

    /// What tokens.json keeps of a token: its SHA-256 in lowercase hex (computed for every request).
    public static func hash(_ token: String) -> String {
        HexEncoding.lowercase(SHA256.hash(data: Data(token.utf8)))
    }
}

/// Which channel may call which commands, from `policy.json`: `{"channels": {"web":
/// ["orders.cart.*", …], "ops": ["*"]}}`. A pattern is a command name, or a prefix and `*`.
/// A channel not listed may call nothing.
public struct CommandPolicy: Sendable {
    private let patterns: [String: [String]]
    private let customerPatterns: [String]
    private let publicChannels: Set<String>

    /// Reads `policy.json`.
    public static func load(path: String) throws -> CommandPolicy {
        struct File: Decodable { var channels: [String: [String]]; var customer: [String]?; var `public`: [String]? }
        guard let data = FileManager.default.contents(atPath: path) else { throw GatewayConfigurationError("\(path) cannot be read") }
        do {
            let file = try ContractCoding.decode(File.self, from: data)
            return CommandPolicy(patterns: file.channels, customer: file.customer ?? [], publicChannels: Set(file.public ?? []))
        } catch {
            throw GatewayConfigurationError("\(path) is not {\"channels\": {\"<channel>\": [\"<command or prefix*>\", …]}, \"customer\": […], \"public\": […]}: \(ContractCoding.explain(error))")
        }
    }

    /// Patterns by channel, what a customer token may call (on any channel), and the channels
    /// whose front end tokens are public (``resolvesOnlyAnonymous(_:)``).
    public init(patterns: [String: [String]], customer: [String] = [], publicChannels: Set<String> = []) {
        self.patterns = patterns
        customerPatterns = customer
        self.publicChannels = publicChannels
    }

    /// Whether `caller` is a public front end's own token — one that sits in every browser or
    /// app of a channel the policy lists as `public` — which resolves only anonymous ids: an
    /// e-mail, a phone or a loyalty card would tell whoever asks whether it is a customer's.
    public func resolvesOnlyAnonymous(_ caller: Callers.Caller) -> Bool {
        caller.customerId == nil && !caller.signsIn && publicChannels.contains(caller.channel)
    }

    /// Whether `caller` may call `command`: a front end's token as its channel allows; a
    /// customer token only what the policy's `customer` list allows, whatever its channel.
    public func allows(_ caller: Callers.Caller, _ command: String) -> Bool {
        guard caller.customerId != nil else { return allows(caller.channel, command) }
        return customerPatterns.contains { CommandPattern.matches($0, command) }
    }

    /// Whether `channel` may call `command` (or use the gateway permission of that name).
    public func allows(_ channel: String, _ command: String) -> Bool {
        (patterns[channel] ?? []).contains { CommandPattern.matches($0, command) }
    }
}

/// A gateway file that cannot be used, with why.
public struct GatewayConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
