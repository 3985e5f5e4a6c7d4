import Logging
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration

/// What a service admits and allows when the bus is secured: the key folder's allow-list
/// (which public key is which principal) and the bus policy (what each principal may do).
public struct BusAccess: Sendable {
    public let keys: KeyFolder
    public let policy: BusPolicy

    public init(keys: KeyFolder, policy: BusPolicy) {
        self.keys = keys
        self.policy = policy
    }

    /// Loads both from the configuration's ``SecuritySettings``; nil when it has none.
    public static func load(_ settings: SecuritySettings?) throws -> BusAccess? {
        guard let settings else { return nil }
        return BusAccess(keys: try KeyFolder.load(settings.keys), policy: try BusPolicy.load(path: settings.policy))
    }

    /// The ZAP verdict on a handshake with one of `service`'s endpoints: a known key of a
    /// principal in the policy, which for events and replay must be allowed to read `service`.
    func verdict(on request: ZAPRequest, service: String) -> ZAPVerdict {
        guard request.mechanism == "CURVE", let key = request.publicKey else {
            return .refuse(reason: "CURVE is required")
        }
        guard let principal = keys.principal(ofPublicKey: key), policy.principals[principal] != nil else {
            return .refuse(reason: "unknown key")
        }
        if !request.domain.hasSuffix(".\(ServerRole.commands)") && !policy.mayRead(principal, source: service) {
            return .refuse(reason: "\(principal) may not read \(service)")
        }
        return .admit(userId: principal)
    }

    /// Starts the ZAP handler of `context` for `service`'s endpoints, logging and counting
    /// every refusal; returns once it is bound (before any server socket binds).
    func startHandler(context: ZMQContext, service: String, logger: Logger, metrics: MetricsRecorder) throws -> ZAPHandler {
        try ZAPHandler.start(context: context) { request in
            let verdict = verdict(on: request, service: service)
            if case .refuse(let reason) = verdict {
                let endpoint = request.domain.split(separator: ".").last.map(String.init) ?? "unknown"
                metrics.counter(BusMetric.handshakesRefused, [("endpoint", endpoint)]).increment()
                logger.warning("handshake refused", metadata: [
                    "endpoint": "\(request.domain)", "address": "\(request.address)",
                    "key": "\(request.publicKey ?? "none")", "reason": "\(reason)"])
            }
            return verdict
        }
    }
}

/// The three server endpoints of a service, as their ZAP domains name them (`orders.replay`).
enum ServerRole: String, CustomStringConvertible {
    case events, replay, commands

    func domain(of service: String) -> String { "\(service).\(rawValue)" }
    var description: String { rawValue }
}
