/// What a process needs to speak CURVE on every socket it makes: its own key pair, and the
/// public key of each server endpoint it may connect to.
///
/// A ``ZMQContext`` made with one secures every socket made from it: ``ZMQSocket/connect(_:)``
/// refuses an endpoint whose server key it does not know (never falling back to plaintext),
/// and ``ZMQSocket/bind(_:zapDomain:)`` makes a CURVE server whose clients the process's
/// ``ZAPHandler`` admits or refuses.
public struct CurveSecurity: Sendable {
    /// This process's own keys: its secret key as a server, its identity as a client.
    public var keys: CurveKeyPair
    /// Server public keys by endpoint address, exactly as `connect` is given it.
    public var serverKeys: [String: String]
    /// The key of a server whose endpoint is not in ``serverKeys``: for processes whose
    /// servers all share one key pair and bind ephemeral ports (benchmarks, tests). Nil: such
    /// an endpoint is refused.
    public var defaultServerKey: String?

    public init(keys: CurveKeyPair, serverKeys: [String: String], defaultServerKey: String? = nil) {
        self.keys = keys
        self.serverKeys = serverKeys
        self.defaultServerKey = defaultServerKey
    }

    /// The server key to use for `endpoint`, if one is known.
    public func serverKey(for endpoint: String) -> String? {
        serverKeys[endpoint] ?? defaultServerKey
    }
}
