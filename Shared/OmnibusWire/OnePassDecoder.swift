/// ``OnePassJSONDecoder``'s `Decoder`: one JSON value of the document. Every error its
/// containers throw, and every error a value's own `init(from:)` throws below them, marks the
/// document as given up (see ``JSONDocument/bail()``).
struct OnePassDecoder: Decoder {
    let document: JSONDocument
    let value: JSONSpan

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let members = document.members(value) else { throw document.bail() }
        return KeyedDecodingContainer(OnePassKeyedContainer<Key>(document: document, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let elements = document.elements(value) else { throw document.bail() }
        return OnePassUnkeyedContainer(document: document, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        OnePassSingleValueContainer(document: document, value: value)
    }
}

extension JSONDocument {
    /// `value` as `Value`: scalars read directly, anything else through its `init(from:)`.
    func decode<Value: Decodable>(_ type: Value.Type, at value: JSONSpan) throws -> Value {
        switch type {
        case is String.Type: return try scalar(string(value), Value.self)
        case is Bool.Type: return try scalar(bool(value), Value.self)
        case is Int.Type: return try scalar(integer(value, as: Int.self), Value.self)
        case is Int64.Type: return try scalar(integer(value, as: Int64.self), Value.self)
        case is Double.Type: return try scalar(double(value), Value.self)
        default:
            if Self.isTreatedSpecially(type) { throw bail() }
            do {
                return try Value(from: OnePassDecoder(document: self, value: value))
            } catch {
                // A type's own error (a RawRepresentable's unknown case) may be caught above.
                _ = bail()
                throw error
            }
        }
    }

    private func scalar<Scalar, Value>(_ read: Scalar?, _: Value.Type) throws -> Value {
        guard let read, let value = read as? Value else { throw bail() }
        return value
    }

    func decodeInteger<Integer: FixedWidthInteger>(_ type: Integer.Type, at value: JSONSpan) throws -> Integer {
        guard let integer = integer(value, as: type) else { throw bail() }
        return integer
    }
}

struct OnePassKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: JSONDocument
    let members: [JSONMember]

    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] {
        let keys = members.compactMap { Key(stringValue: document.keyText($0.key)) }
        // "1" and "01" are one Int key; which value Foundation keeps follows its hashing.
        let integers = keys.compactMap(\.intValue)
        if Set(integers).count != integers.count { _ = document.bail() }
        return keys
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func find(_ key: Key) -> JSONSpan? {
        let name = key.stringValue
        // A non-ASCII name can equal an ASCII key as a String (the Kelvin sign is "K").
        guard !name.utf8.contains(where: { $0 >= 0x80 }) else {
            _ = document.bail()
            return nil
        }
        return members.first { document.key($0.key, is: name) }?.value
    }

    private func value(_ key: Key) throws -> JSONSpan {
        guard let value = find(key) else { throw document.bail() }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.decode(type, at: value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.decode(type, at: value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.decode(type, at: value(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw document.bail() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try document.decodeInteger(type, at: value(key)) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { throw document.bail() }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { throw document.bail() }
    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value { try document.decode(type, at: value(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try OnePassDecoder(document: document, value: value(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try OnePassDecoder(document: document, value: value(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw document.bail() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw document.bail() }
}

struct OnePassUnkeyedContainer: UnkeyedDecodingContainer {
    let document: JSONDocument
    let elements: [JSONSpan]
    private(set) var currentIndex = 0

    init(document: JSONDocument, elements: [JSONSpan]) {
        self.document = document
        self.elements = elements
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// Decodes the current element and moves past it only if that worked, as Foundation does.
    private mutating func next<Decoded>(_ decode: (JSONDocument, JSONSpan) throws -> Decoded) throws -> Decoded {
        guard currentIndex < elements.count else { throw document.bail() }
        let decoded = try decode(document, elements[currentIndex])
        currentIndex += 1
        return decoded
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { throw document.bail() }
        // Foundation moves past a null it reports, and stays on anything else.
        guard document.isNull(elements[currentIndex]) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.decode(type, at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.decode(type, at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.decode(type, at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { throw document.bail() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.decodeInteger(type, at: $1) } }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { throw document.bail() }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { throw document.bail() }
    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try next { try $0.decode(type, at: $1) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try OnePassDecoder(document: $0, value: $1).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try OnePassDecoder(document: $0, value: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { throw document.bail() }
}

struct OnePassSingleValueContainer: SingleValueDecodingContainer {
    let document: JSONDocument
    let value: JSONSpan

    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { document.isNull(value) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.decode(type, at: value) }
    func decode(_ type: String.Type) throws -> String { try document.decode(type, at: value) }
    func decode(_ type: Double.Type) throws -> Double { try document.decode(type, at: value) }
    func decode(_ type: Float.Type) throws -> Float { throw document.bail() }
    func decode(_ type: Int.Type) throws -> Int { try document.decodeInteger(type, at: value) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.decodeInteger(type, at: value) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.decodeInteger(type, at: value) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.decodeInteger(type, at: value) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.decodeInteger(type, at: value) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.decodeInteger(type, at: value) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.decodeInteger(type, at: value) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.decodeInteger(type, at: value) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.decodeInteger(type, at: value) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.decodeInteger(type, at: value) }
    func decode(_ type: Int128.Type) throws -> Int128 { throw document.bail() }
    func decode(_ type: UInt128.Type) throws -> UInt128 { throw document.bail() }
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try document.decode(type, at: value) }
}

extension JSONDocument {
    /// `value` as ``JSONValue`` reads it through Foundation: null, then a bool, an `Int64`, a
    /// `Double`, a string, an array, an object.
    func jsonValue(at value: JSONSpan) throws -> JSONValue {
        switch bytes[value.start] {
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(bytes[value.start] == UInt8(ascii: "t"))
        case UInt8(ascii: "\""): return .string(try decode(String.self, at: value))
        case UInt8(ascii: "["):
            guard let elements = elements(value) else { throw bail() }
            return .array(try elements.map { try jsonValue(at: $0) })
        case UInt8(ascii: "{"):
            guard let members = members(value) else { throw bail() }
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for member in members { object[keyText(member.key)] = try jsonValue(at: member.value) }
            return .object(object)
        default:
            let plain = isPlainInteger(value)
            if plain, let integer = integer(value, as: Int64.self) { return .integer(integer) }
            // Foundation reads 1.0 or 1e2 as an Int64 (via Double below 2^53): left to it.
            guard let number = double(value), plain || number.rounded(.towardZero) != number else { throw bail() }
            return .number(number)
        }
    }
}
