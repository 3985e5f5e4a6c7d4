/// Where the HTTP gateway listens: `host:port` (`127.0.0.1:7180`).
public struct GatewayEndpoint: Sendable, Codable, Hashable {
    public var http: String

    public init(http: String) { self.http = http }

    /// The host and port of ``http``, or nil when it is not `host:port` with a port in 1–65535.
    public var hostAndPort: (host: String, port: Int)? {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        let host = String(http[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}
