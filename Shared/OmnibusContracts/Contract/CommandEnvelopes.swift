import Foundation

/// A command sent to a service's command endpoint.
///
/// `id` is the request id and also the idempotency key: the service stores its first reply
/// under it, and a retry with the same id gets that reply again without applying anything.
public struct CommandRequest<Payload: Codable & Sendable>: Codable, Sendable {
    /// Request id chosen by the caller (a UUID is a good choice); 1 to 128 characters.
    public var id: String
    /// The command name, e.g. `identity.resolve`.
    public var command: String
    /// Major version of the command's `data`; 1 unless the contract says otherwise.
    public var version: Int
    /// The channel the request comes from (`app`, `web`, `store`, …).
    public var channel: String?
    /// Ties the events this command causes to the caller's wider operation.
    public var correlationId: String?
    /// The signed-in customer a gateway acts for (docs/SECURITY.md, "Acting for a
    /// customer"): the request may then concern that customer only. Only a gateway
    /// principal may send it.
    public var actingFor: String?
    /// The command-specific body.
    public var data: Payload

    public init(id: String, command: String, version: Int = 1, channel: String? = nil,
                correlationId: String? = nil, actingFor: String? = nil, data: Payload) {
        self.id = id
        self.command = command
        self.version = version
        self.channel = channel
        self.correlationId = correlationId
        self.actingFor = actingFor
        self.data = data
    }
}

extension CommandRequest {
    private enum CodingKeys: String, CodingKey {
        case id, command, version, channel, correlationId, actingFor, data
    }

    /// `version` may be left out and then means 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        command = try container.decode(String.self, forKey: .command)
        version = try container.decodeIfPresent(Int.self, forKey: .version) ?? 1
        channel = try container.decodeIfPresent(String.self, forKey: .channel)
        correlationId = try container.decodeIfPresent(String.self, forKey: .correlationId)
        actingFor = try container.decodeIfPresent(String.self, forKey: .actingFor)
        // `data` is an object for every command, also for one whose type has no fields
        // (which would otherwise accept any value).
        _ = try container.decode(SkippedObject.self, forKey: .data)
        data = try container.decode(Payload.self, forKey: .data)
    }
}

extension CommandRequest: Equatable where Payload: Equatable {}

/// What makes a request id valid: 1 to 128 bytes of UTF-8 (docs/PROTOCOL.md §5).
public enum RequestId {
    public static func isValid(_ id: String) -> Bool { (1...128).contains(id.utf8.count) }

    /// A new request id for a client that does not choose its own: a random (version 4)
    /// UUID in lowercase, drawn like an event id from a pooled CSPRNG (`UUID()` opens
    /// /dev/urandom for every id, a fifth of a pipelining client's CPU).
    public static func random() -> String { EnvelopeWriter.newEventId() }
}

extension CommandRequest {
    /// The longest channel name, in bytes.
    public static var maxChannelBytes: Int { 32 }

    /// Why the request's own fields (besides `data`) cannot be taken, or nil: they are
    /// copied into every event the command causes, so they are held to a small size. A
    /// correlation id follows the request id's rule; a channel is 1 to 32 letters, digits,
    /// '_', '-' or '.'.
    public var headerProblem: String? {
        if let channel, !Self.isChannelName(channel) {
            return "channel must be 1 to \(Self.maxChannelBytes) letters, digits, '_', '-' or '.'"
        }
        if let correlationId, !RequestId.isValid(correlationId) {
            return "correlationId must be 1 to 128 bytes"
        }
        if let actingFor, !RequestId.isValid(actingFor) {
            return "actingFor must be a customer id of 1 to 128 bytes"
        }
        return nil
    }

    static func isChannelName(_ name: String) -> Bool {
        (1...maxChannelBytes).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 || byte == 45 || byte == 46
        }
    }
}

extension CommandRequest where Payload: CommandContract {
    /// A request to run `command`; its name and version are its contract's.
    public init(_ command: Payload, id: String, channel: String? = nil, correlationId: String? = nil) {
        self.init(id: id, command: Payload.name, version: Payload.version, channel: channel,
                  correlationId: correlationId, data: command)
    }
}

/// What every service reads first from a command: everything but its body, which must be
/// a JSON object.
public typealias CommandHeader = CommandRequest<SkippedObject>

/// A body that is checked to be a JSON object and otherwise not read.
public struct SkippedObject: Codable, Sendable, Equatable {
    public init() {}

    public init(from decoder: any Decoder) throws {
        do {
            _ = try decoder.container(keyedBy: AnyKey.self)
        } catch {
            throw DecodingError.typeMismatch(SkippedObject.self, DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "`data` must be a JSON object"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: AnyKey.self)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Only a request's id: read from a request refused before its header decoded, so the
/// error reply still names it.
public struct RequestIdOnly: Decodable, Sendable {
    public var id: String
}

/// The reply to a command: either `ok` with `data`, or not `ok` with `error`.
public struct CommandReply<Payload: Codable & Sendable>: Codable, Sendable {
    /// The request id this answers; empty when the request was too malformed to have one.
    public var requestId: String
    public var ok: Bool
    public var data: Payload?
    public var error: OmnibusError?

    public init(requestId: String, data: Payload) {
        self.requestId = requestId
        self.ok = true
        self.data = data
        self.error = nil
    }

    public init(requestId: String, error: OmnibusError) {
        self.requestId = requestId
        self.ok = false
        self.data = nil
        self.error = error
    }

    /// The data of a successful reply, or the error of a failed one, thrown.
    public func get() throws -> Payload {
        if ok, let data { return data }
        throw error ?? OmnibusError(.internal, "reply \(requestId) has neither data nor error")
    }
}

extension CommandReply: Equatable where Payload: Equatable {}

/// An empty body, for commands and replies that carry nothing.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}

/// The customer a request's or a reply's `data` names in its `customerId`: how a request made
/// for a signed-in customer (`actingFor`) is held to that customer, by the service on the
/// request and by the gateway on the reply (docs/SECURITY.md).
public enum NamedCustomer {
    private struct Envelope: Decodable {
        struct Fields: Decodable { var customerId: String? }
        var data: Fields?
    }

    /// The `customerId` of `envelope`'s `data`; nil when it names none or does not read so.
    public static func inData(of envelope: Data) -> String? {
        (try? ContractCoding.decode(Envelope.self, from: envelope))?.data?.customerId
    }
}
