import Foundation

/// Where every service of one Omnibus deployment listens: the one file (deploy/omnibus.json)
/// that the services, `omnibus up`, `omnibus tail` and `omnibus status` all read, so an
/// address is written down once.
public struct SuiteConfiguration: Codable, Sendable, Equatable {
    /// Endpoints by service name. Services bind them; tools and other services connect.
    public var services: [String: ServiceEndpoints]
    /// The HTTP gateway for front ends that do not speak ZeroMQ; nil: none in this deployment.
    public var gateway: GatewayEndpoint?
    /// CURVE keys and bus policy; nil: plaintext, allowed on loopback only (docs/SECURITY.md).
    public var security: SecuritySettings?

    public init(services: [String: ServiceEndpoints], gateway: GatewayEndpoint? = nil, security: SecuritySettings? = nil) {
        self.services = services
        self.gateway = gateway
        self.security = security
    }

    /// The config file's place in a checkout, relative to its root.
    public static let defaultPath = "deploy/omnibus.json"
    /// The environment variable that names a config file when no flag does.
    public static let environmentVariable = "OMNIBUS_CONFIG"

    /// The local defaults, identical to the shipped deploy/omnibus.json (a test checks they agree).
    public static let localDefaults = SuiteConfiguration(services: [
        "identity": .loopback(basePort: 7101),
        "orders": .loopback(basePort: 7111),
        "coupons": .loopback(basePort: 7121),
        "conversation": .loopback(basePort: 7131),
        "notifications": .loopback(basePort: 7141),
    ], gateway: GatewayEndpoint(http: "127.0.0.1:7180"))

    /// The endpoints of `service`, or an error that lists the services the file knows.
    public func endpoints(of service: String) throws -> ServiceEndpoints {
        guard let endpoints = services[service] else {
            throw ConfigurationError(
                "no service '\(service)' in the configuration; it names \(services.keys.sorted().joined(separator: ", "))")
        }
        return endpoints
    }

    /// Reads and checks a config file.
    public static func load(path: String) throws -> SuiteConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read \(path): \(error.localizedDescription)")
        }
        var configuration: SuiteConfiguration
        do {
            configuration = try JSONDecoder().decode(SuiteConfiguration.self, from: data)
        } catch {
            throw ConfigurationError("\(path) is not a valid Omnibus configuration: \(error)")
        }
        configuration.security = configuration.security?.resolved(against: path)
        try configuration.validate(origin: path)
        return configuration
    }

    /// The configuration to use: `explicitPath` if given, else `$OMNIBUS_CONFIG`, else
    /// deploy/omnibus.json under the working directory if it exists, else ``localDefaults``.
    public static func resolve(
        explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (configuration: SuiteConfiguration, origin: String) {
        if let path = explicitPath ?? environment[environmentVariable], !path.isEmpty {
            return (try load(path: path), path)
        }
        if FileManager.default.fileExists(atPath: defaultPath) {
            return (try load(path: defaultPath), defaultPath)
        }
        return (localDefaults, "built-in local defaults")
    }

    /// Every endpoint must be a ZeroMQ address and no two may be the same; the gateway's is `host:port`.
    func validate(origin: String) throws {
        if let gateway, gateway.hostAndPort == nil {
            throw ConfigurationError("\(origin): gateway.http '\(gateway.http)' is not host:port")
        }
        var seen: [String: String] = [:]
        for (service, endpoints) in services.sorted(by: { $0.key < $1.key }) {
            for (role, address) in [("events", endpoints.events), ("replay", endpoints.replay), ("commands", endpoints.commands)] {
                guard address.hasPrefix("tcp://") || address.hasPrefix("ipc://") else {
                    throw ConfigurationError("\(origin): \(service).\(role) '\(address)' is not a tcp:// or ipc:// address")
                }
                if let other = seen[address] {
                    throw ConfigurationError("\(origin): \(service).\(role) uses \(address), already used by \(other)")
                }
                seen[address] = "\(service).\(role)"
            }
        }
    }
}

/// A configuration that cannot be used, with a sentence that says why.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
