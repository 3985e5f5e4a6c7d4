import Foundation

/// The JSON encoding every Omnibus peer uses: UTF-8, no escaped slashes, times as
/// ``Timestamp`` text. Use these rather than ad-hoc coders so bytes stay comparable.
public enum ContractCoding {
    /// Encodes a contract value to JSON bytes.
    public static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        // The one-pass encoder covers contract types; what it leaves is JSONEncoder's to do.
        if let bytes = StreamingJSONEncoder.encode(value) { return bytes }
        return try encodeWithFoundation(value)
    }

    /// `JSONEncoder`'s encoding, for what the one-pass encoder leaves to it.
    static func encodeWithFoundation<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes a contract value from JSON bytes. Unknown fields are ignored, as the
    /// evolution rules require.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        // The one-pass decoder answers as JSONDecoder would, or not at all (errors included).
        if let value = OnePassJSONDecoder.decode(type, from: data) { return value }
        return try JSONDecoder().decode(type, from: data)
    }

    /// A short, single-line explanation of why bytes did not decode, for error replies.
    public static func explain(_ error: any Error) -> String {
        explain(error, in: nil)
    }

    /// The same, knowing the bytes: Foundation reports a value that does not fit its field
    /// (1.5 for a whole number, a number out of range) as "not valid JSON" at no path.
    public static func explain(_ error: any Error, in data: Data?) -> String {
        if case DecodingError.dataCorrupted(let context) = error, context.codingPath.isEmpty, let data,
           (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil {
            return "a number does not fit its field (a fraction where a whole number is expected, or out of range)"
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(path(context.codingPath))': \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at '\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
