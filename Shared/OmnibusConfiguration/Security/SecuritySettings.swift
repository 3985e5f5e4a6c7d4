import Foundation

/// Where a deployment's bus security lives: the key folder `omnibus keys` made and the
/// policy that says who may do what. Present in the suite configuration: CURVE on every
/// socket; absent: plaintext, allowed on loopback only (see docs/SECURITY.md).
public struct SecuritySettings: Codable, Sendable, Equatable {
    /// The key folder: `principals.json` (public keys by principal) and `<principal>.key` files.
    public var keys: String
    /// The bus policy file (see ``BusPolicy``).
    public var policy: String

    public init(keys: String, policy: String) {
        self.keys = keys
        self.policy = policy
    }

    /// Relative paths are relative to the folder of the configuration file that names them.
    func resolved(against configurationPath: String) -> SecuritySettings {
        let folder = URL(fileURLWithPath: configurationPath).deletingLastPathComponent()
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
        }
        return SecuritySettings(keys: resolve(keys), policy: resolve(policy))
    }
}

extension SuiteConfiguration {
    /// Whether an endpoint can be reached only from this machine (loopback tcp or ipc), where
    /// running without CURVE is allowed.
    public static func isLocalOnly(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        for host in ["tcp://127.", "tcp://localhost:", "tcp://[::1]:"] where endpoint.hasPrefix(host) { return true }
        return false
    }

    /// Every service endpoint not reachable only from this machine; they need ``security``.
    public var endpointsBeyondLoopback: [String] {
        services.values.flatMap { [$0.events, $0.replay, $0.commands] }.filter { !Self.isLocalOnly($0) }.sorted()
    }
}
