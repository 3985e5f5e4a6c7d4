import Foundation

/// Who may call which commands and read which sources, by authenticated principal (the ZAP
/// user id), never by what a message says of itself. Loaded from deploy/security/policy.json.
///
/// A principal is one of four kinds:
/// - `channel`: a front end of one channel (its name); a request's `channel`, if sent, must be it.
/// - `gateway`: a front door that authenticates callers itself and acts for the principals in
///   `actsFor`; a request it sends names one as its channel and gets that principal's rights, no more.
/// - `service` and `ops`: trusted with the commands listed; a request's `channel` says which
///   channel the work started on and is kept.
public struct BusPolicy: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case channel, gateway, service, ops
    }

    public struct Principal: Codable, Sendable, Equatable {
        public var kind: Kind
        /// Command names or patterns: `*`, `orders.*`, `orders.cart.add`.
        public var commands: [String]
        /// Sources whose events and replay this principal may read (`*`: all).
        public var reads: [String]
        /// For a gateway: the principals it may act for (their names are the channels it sends).
        public var actsFor: [String]?
        /// For a channel: what a gateway acting for it may call besides `commands` when it
        /// also acts for a signed-in customer (a request's `actingFor`), about that customer only.
        public var customerCommands: [String]?

        public init(kind: Kind, commands: [String], reads: [String], actsFor: [String]? = nil, customerCommands: [String]? = nil) {
            self.kind = kind
            self.commands = commands
            self.reads = reads
            self.actsFor = actsFor
            self.customerCommands = customerCommands
        }
    }

    public var principals: [String: Principal]

    public init(principals: [String: Principal]) { self.principals = principals }

    /// Reads and checks a policy file: a gateway acts for principals of the policy, not for another gateway.
    public static func load(path: String) throws -> BusPolicy {
        let policy: BusPolicy
        do {
            policy = try JSONDecoder().decode(BusPolicy.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ConfigurationError("\(path) is not a valid bus policy: \(error)")
        }
        for (name, principal) in policy.principals {
            for other in principal.actsFor ?? [] where [nil, .gateway].contains(policy.principals[other]?.kind) {
                throw ConfigurationError("\(path): '\(name)' acts for '\(other)', which is not a channel, service or ops principal of the policy")
            }
        }
        return policy
    }

    /// Whether `principal` may read the events and replay of `source`.
    public func mayRead(_ principal: String, source: String) -> Bool {
        guard let reads = principals[principal]?.reads else { return false }
        return reads.contains("*") || reads.contains(source)
    }

    /// The channel a command from `principal` runs as, or why it is refused. `requested` is
    /// the request's own `channel` field, `actingFor` the customer a gateway says it acts for.
    public func authorize(
        _ principal: String, command: String, requestedChannel requested: String?, actingFor: String? = nil
    ) -> Result<String?, Refusal> {
        guard let rights = principals[principal] else {
            return .failure(Refusal("'\(principal)' is not in the bus policy"))
        }
        if actingFor != nil, rights.kind != .gateway {
            return .failure(Refusal("only a gateway acts for a signed-in customer"))
        }
        switch rights.kind {
        case .channel:
            if let requested, requested != principal {
                return .failure(Refusal("the channel comes from your key ('\(principal)'); the request names another"))
            }
            return Self.allows(rights.commands, command) ? .success(principal)
                : .failure(Refusal("the \(principal) channel may not call \(command)"))
        case .gateway:
            guard let requested else {
                return Self.allows(rights.commands, command) ? .success(nil)
                    : .failure(Refusal("\(principal) must name the channel it acts for to call \(command)"))
            }
            guard rights.actsFor?.contains(requested) == true, let channel = principals[requested] else {
                return .failure(Refusal("\(principal) does not act for that channel"))
            }
            if Self.allows(channel.commands, command) { return .success(requested) }
            if actingFor != nil, Self.allows(channel.customerCommands ?? [], command) { return .success(requested) }
            return .failure(Refusal("the \(requested) channel may not call \(command)"
                                    + (actingFor == nil && channel.customerCommands != nil ? " unless it acts for a signed-in customer" : "")))
        case .service, .ops:
            return Self.allows(rights.commands, command) ? .success(requested)
                : .failure(Refusal("\(principal) may not call \(command)"))
        }
    }

    static func allows(_ patterns: [String], _ command: String) -> Bool {
        patterns.contains { CommandPattern.matches($0, command) }
    }

    /// Why a command is refused, in a sentence that quotes nothing the caller wrote beyond
    /// the command's (already validated) name.
    public struct Refusal: Error, Sendable, Equatable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
