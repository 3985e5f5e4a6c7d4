import Foundation

/// Writes an envelope's JSON directly, with the payload encoded in place or spliced in.
///
/// Producing services write every event through this, because building the envelope with
/// `JSONEncoder` (a dictionary per object, a box per field) cost as much CPU as the rest of
/// the write path. The bytes decode as ``EventEnvelope`` like any other JSON (tested).
public enum EnvelopeWriter {
    /// The largest envelope an event may have (1 MiB): outboxes refuse larger ones and
    /// subscribers read up to it.
    public static let maxEnvelopeBytes = 1 << 20

    /// The envelope's JSON bytes. `data` must be one valid JSON value.
    public static func write(
        id: String, source: String, sequence: Int64, type: String, schemaVersion: Int, occurredAt: Timestamp,
        customerId: String?, channel: String?, correlationId: String?, causationId: String?, data: Data
    ) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(220 + data.count)
        appendHeader(
            id: id, source: source, sequence: sequence, type: type, schemaVersion: schemaVersion, occurredAt: occurredAt,
            customerId: customerId, channel: channel, correlationId: correlationId, causationId: causationId, to: &out)
        out.append(contentsOf: data)
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// The envelope's JSON bytes with `payload` encoded as its `data`, as ``ContractCoding``
    /// encodes it — written in place, the outbox's path for every event.
    public static func write<Payload: Encodable>(
        id: String, source: String, sequence: Int64, type: String, schemaVersion: Int, occurredAt: Timestamp,
        customerId: String?, channel: String?, correlationId: String?, causationId: String?, payload: Payload
    ) throws -> Data {
        var out = [UInt8]()
        out.reserveCapacity(480)
        appendHeader(
            id: id, source: source, sequence: sequence, type: type, schemaVersion: schemaVersion, occurredAt: occurredAt,
            customerId: customerId, channel: channel, correlationId: correlationId, causationId: causationId, to: &out)
        if !StreamingJSONEncoder.encode(payload, appendingTo: &out) {
            out.append(contentsOf: try ContractCoding.encodeWithFoundation(payload))
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// Everything before the data: `{"id":…,"data":`.
    private static func appendHeader(
        id: String, source: String, sequence: Int64, type: String, schemaVersion: Int, occurredAt: Timestamp,
        customerId: String?, channel: String?, correlationId: String?, causationId: String?, to out: inout [UInt8]
    ) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONStringRun.appendLiteral(id, to: &out)
        out.append(contentsOf: #","source":"#.utf8)
        JSONStringRun.appendLiteral(source, to: &out)
        out.append(contentsOf: #","sequence":"#.utf8)
        out.append(contentsOf: String(sequence).utf8)
        out.append(contentsOf: #","type":"#.utf8)
        JSONStringRun.appendLiteral(type, to: &out)
        out.append(contentsOf: #","schemaVersion":"#.utf8)
        out.append(contentsOf: String(schemaVersion).utf8)
        out.append(contentsOf: #","occurredAt":""#.utf8)
        occurredAt.appendRFC3339(to: &out)
        out.append(UInt8(ascii: "\""))
        appendOptional(#","customerId":"#, customerId, to: &out)
        appendOptional(#","channel":"#, channel, to: &out)
        appendOptional(#","correlationId":"#, correlationId, to: &out)
        appendOptional(#","causationId":"#, causationId, to: &out)
        out.append(contentsOf: #","data":"#.utf8)
    }

    /// A new event id: a random (version 4) UUID in lowercase (see ``EventIdGenerator``).
    public static func newEventId() -> String { EventIdGenerator.next() }

    /// Appends `prefix` and `value` as a string, unless `value` is nil (absent, not null).
    private static func appendOptional(_ prefix: StaticString, _ value: String?, to out: inout [UInt8]) {
        guard let value else { return }
        out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        JSONStringRun.appendLiteral(value, to: &out)
    }
}
