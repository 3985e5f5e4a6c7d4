import Foundation
import OmnibusContracts

/// An event as a subscriber received it: the decoded envelope fields and the exact bytes.
public struct ReceivedEvent: Sendable {
    public let header: EventHeader
    /// The envelope's JSON bytes as published.
    public let envelope: Data

    /// Decodes the whole envelope with a typed body.
    public func decode<Payload: Codable & Sendable>(_ type: Payload.Type = Payload.self) throws -> EventEnvelope<Payload> {
        try ContractCoding.decode(EventEnvelope<Payload>.self, from: envelope)
    }
}

