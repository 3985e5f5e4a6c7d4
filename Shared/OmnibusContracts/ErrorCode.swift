/// The machine-readable reason a request failed. Unknown codes from a newer peer decode as
/// themselves, so a client never fails on a code it does not know.
public struct ErrorCode: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    /// The message is not a well-formed request: bad frames, invalid JSON, missing fields.
    public static let invalidRequest = ErrorCode(rawValue: "invalid_request")
    /// The request is well-formed but a value in it is not acceptable.
    public static let invalidArgument = ErrorCode(rawValue: "invalid_argument")
    /// The command name is not one this service takes.
    public static let unknownCommand = ErrorCode(rawValue: "unknown_command")
    /// The command's version is newer (or older) than this service takes.
    public static let unsupportedVersion = ErrorCode(rawValue: "unsupported_version")
    /// The message is larger than this endpoint accepts.
    public static let tooLarge = ErrorCode(rawValue: "too_large")
    /// Something the request names does not exist (a customer, a product, …).
    public static let notFound = ErrorCode(rawValue: "not_found")
    /// The request contradicts the current state (a stale version, an id already used, …).
    public static let conflict = ErrorCode(rawValue: "conflict")
    /// The caller may not do this.
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// The service cannot serve now; retrying later with the same request id is safe.
    public static let unavailable = ErrorCode(rawValue: "unavailable")
    /// What was asked is older than the event log still holds.
    public static let outOfRange = ErrorCode(rawValue: "out_of_range")
    /// The service failed; the request was not applied.
    public static let `internal` = ErrorCode(rawValue: "internal")
}

/// An error a service replies with: a code, a sentence for a human and, where the caller
/// can act on it, machine-readable `details` (a `conflict` on a stale cart carries the
/// current cart, so the client can show it and retry without another round trip).
public struct OmnibusError: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var details: JSONValue?

    public init(_ code: ErrorCode, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// `details` decoded as `Value`, or nil when there are none or they do not decode.
    public func details<Value: Decodable>(as type: Value.Type) -> Value? {
        guard let details, let bytes = try? ContractCoding.encode(details) else { return nil }
        return try? ContractCoding.decode(type, from: bytes)
    }

    public var description: String { "\(code): \(message)" }
}
