/// Where the HTTP gateway listens, and which browser origins may call it.
public struct GatewayEndpoint: Sendable, Codable, Hashable {
    /// `host:port` (`127.0.0.1:7180`).
    public var http: String
    /// Origins (`https://shop.example.com`) whose pages may call the gateway from a browser; nil: none.
    public var corsOrigins: [String]?

    public init(http: String, corsOrigins: [String]? = nil) {
        self.http = http
        self.corsOrigins = corsOrigins
    }

    /// The host and port of ``http``, or nil when it is not `host:port` with a port in 1–65535.
    public var hostAndPort: (host: String, port: Int)? {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        let host = String(http[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}
