import OmnibusBus
import OmnibusConfiguration

extension SuiteConfiguration {
    /// The CURVE settings of a process acting as `principal`: its key pair from the key
    /// folder and every service endpoint's server key; nil when the configuration has no
    /// ``security`` (plaintext).
    public func curve(as principal: String) throws -> CurveSecurity? {
        guard let security else { return nil }
        let folder = try KeyFolder.load(security.keys)
        let secretKey = try folder.secretKey(of: principal)
        let publicKey = try CurveKeyPair.publicKey(forSecretKey: secretKey)
        guard folder.publicKeys[principal] == publicKey else {
            throw ConfigurationError("the secret key of '\(principal)' does not belong to its public key in \(security.keys)/\(KeyFolder.principalsFile)")
        }
        var serverKeys: [String: String] = [:]
        for (service, endpoints) in services {
            guard let key = folder.publicKeys[service] else {
                throw ConfigurationError("\(security.keys)/\(KeyFolder.principalsFile) has no key for the service '\(service)'")
            }
            for endpoint in [endpoints.events, endpoints.replay, endpoints.commands] { serverKeys[endpoint] = key }
        }
        return CurveSecurity(keys: CurveKeyPair(publicKey: publicKey, secretKey: secretKey), serverKeys: serverKeys)
    }

    /// A ZeroMQ context for a process acting as `principal`: CURVE on every socket when the
    /// configuration has ``security``.
    public func busContext(as principal: String, ioThreads: Int32 = 1, maxSockets: Int32? = nil) throws -> ZMQContext {
        try ZMQContext(ioThreads: ioThreads, maxSockets: maxSockets, curve: try curve(as: principal))
    }
}
