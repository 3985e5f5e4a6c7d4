import Foundation

/// Encodes an `Encodable` value to JSON in one pass, writing bytes as the value's
/// `encode(to:)` runs, where `JSONEncoder` first builds a tree of boxed values and then
/// serializes it; every event payload is encoded, and this is several times faster.
///
/// It covers what contract types do: structs and enums with keyed, unkeyed and single-value
/// containers, nested containers used in order, strings, booleans, integers, finite
/// floating-point numbers, nil, arrays and dictionaries. For anything it does not write
/// exactly as `JSONEncoder` would mean it — `Data`, `URL`, `Decimal` and `Date` (which
/// `JSONEncoder` special-cases or configures), super encoders, containers written out of order, a value that encodes
/// nothing, non-finite numbers — ``encode(_:)`` returns nil and the caller uses `JSONEncoder`.
/// Slashes are not escaped (as ``ContractCoding`` asks of `JSONEncoder`).
///
/// Its containers report an empty `codingPath`: building the path cost an array per nested
/// value (a fifth of encoding a cart), and only error messages read it; an encoding that
/// throws is redone by `JSONEncoder`, whose error carries the path.
enum StreamingJSONEncoder {
    /// The JSON bytes of `value`, or nil when `JSONEncoder` must do it (see above).
    static func encode<Value: Encodable>(_ value: Value) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        return encode(value, appendingTo: &bytes) ? Data(bytes) : nil
    }

    /// Appends `value`'s JSON to `bytes` and returns true, or leaves `bytes` as they were and
    /// returns false when `JSONEncoder` must do it. Lets the envelope writer put the payload
    /// in place instead of copying it in.
    static func encode<Value: Encodable>(_ value: Value, appendingTo bytes: inout [UInt8]) -> Bool {
        let writer = JSONByteWriter()
        let start = bytes.count
        swap(&writer.bytes, &bytes)
        let written = (try? writer.encodeValue(value)) != nil && !writer.unsupported
        swap(&writer.bytes, &bytes)
        if !written { bytes.removeSubrange(start...) }
        return written
    }
}

/// The types `JSONEncoder` writes its own way rather than through their `encode(to:)`.
private protocol SpecialCasedByJSONEncoder {}
extension Data: SpecialCasedByJSONEncoder {}
extension URL: SpecialCasedByJSONEncoder {}
extension Decimal: SpecialCasedByJSONEncoder {}
extension Date: SpecialCasedByJSONEncoder {}

/// Thrown to abandon an encoding that ``StreamingJSONEncoder`` leaves to `JSONEncoder`.
private struct Unsupported: Error {}

/// The bytes written so far and the containers open, innermost last.
///
/// Its properties skip Swift's run-time exclusivity checks, which cost a tenth of encoding: one
/// encoding uses a writer, on one thread, and no access to a property overlaps another.
private final class JSONByteWriter {
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var unsupported = false
    /// Open containers by id, innermost last; writing to one closes those opened after it.
    @exclusivity(unchecked) private var open: [(id: Int, closer: UInt8)] = []
    @exclusivity(unchecked) private var nextId = 0

    /// Writes one value at the current position.
    func encodeValue<Value: Encodable>(_ value: Value) throws {
        // Comparing metatypes is far cheaper than dynamic casts, and this runs for every value.
        if Value.self == String.self { return writeString(unsafeBitCast(value, to: String.self)) }
        if Value.self == Int.self { return writeInteger(unsafeBitCast(value, to: Int.self)) }
        if Value.self == Int64.self { return writeInteger(unsafeBitCast(value, to: Int64.self)) }
        if Value.self == Bool.self { return writeLiteral(unsafeBitCast(value, to: Bool.self) ? "true" : "false") }
        if Value.self == Double.self { return try writeFloatingPoint(unsafeBitCast(value, to: Double.self)) }
        if value is any SpecialCasedByJSONEncoder { throw fail() }
        let depth = open.count
        let start = bytes.count
        try value.encode(to: ContainerFactory(writer: self, start: start))
        guard bytes.count > start else { throw fail() }  // encoded nothing: JSONEncoder decides
        close(downTo: depth)
    }

    // MARK: containers

    /// Opens a container (`{` or `[`) and returns its id.
    func openContainer(_ opener: UInt8, closer: UInt8) -> Int {
        bytes.append(opener)
        nextId += 1
        open.append((nextId, closer))
        return nextId
    }

    /// Makes container `id` the innermost again by closing those opened after it; throws
    /// when it is already closed (written out of order).
    func activate(_ id: Int) throws {
        guard let index = open.lastIndex(where: { $0.id == id }) else { throw fail() }
        close(downTo: index + 1)
    }

    private func close(downTo depth: Int) {
        while open.count > depth { bytes.append(open.removeLast().closer) }
    }

    func fail() -> any Error {
        unsupported = true
        return Unsupported()
    }

    /// A keyed container nested at the current position, if the parent could place it
    /// there (`placed`); otherwise one whose every write fails.
    func nestedKeyed<NestedKey: CodingKey>(_ type: NestedKey.Type, placed: Bool) -> KeyedEncodingContainer<NestedKey> {
        let id = placed ? openContainer(UInt8(ascii: "{"), closer: UInt8(ascii: "}")) : -1
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: self, id: id))
    }

    /// An unkeyed container nested at the current position, as ``nestedKeyed(_:placed:)``.
    func nestedUnkeyed(placed: Bool) -> any UnkeyedEncodingContainer {
        let id = placed ? openContainer(UInt8(ascii: "["), closer: UInt8(ascii: "]")) : -1
        return UnkeyedWriter(writer: self, id: id)
    }

    /// What a super encoder request gets: the encoding is left to JSONEncoder.
    func superEncoder() -> any Encoder {
        _ = fail()
        return ContainerFactory(writer: self, start: bytes.count)
    }

    // MARK: scalars

    func writeLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    func writeInteger<Integer: BinaryInteger>(_ value: Integer) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(48 + Int(value)))
        } else if let small = Int64(exactly: value) {
            // Digits written in place: `String(value)` allocated a string per number.
            if small < 0 { bytes.append(UInt8(ascii: "-")) }
            var magnitude = small.magnitude
            let start = bytes.count
            repeat {
                bytes.append(UInt8(48 + magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            bytes[start...].reverse()
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    func writeFloatingPoint<Float: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Float) throws {
        guard value.isFinite else { throw fail() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    func writeString(_ value: String) {
        JSONStringRun.appendLiteral(value, to: &bytes)
    }
}

/// The `Encoder` a value's `encode(to:)` sees; it hands out exactly one container.
private struct ContainerFactory: Encoder {
    let writer: JSONByteWriter
    /// Where the value being encoded starts in the writer's bytes.
    let start: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(writer: writer, id: claim(opener: "{", closer: "}")))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedWriter(writer: writer, id: claim(opener: "[", closer: "]"))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueWriter(writer: writer, start: start)
    }

    /// A second container from the same encoder (which JSONEncoder merges) is left to it.
    private func claim(opener: Unicode.Scalar, closer: Unicode.Scalar) -> Int {
        if writer.bytes.count != start { _ = writer.fail() }
        return writer.openContainer(UInt8(ascii: opener), closer: UInt8(ascii: closer))
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let id: Int
    private var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: JSONByteWriter, id: Int) {
        self.writer = writer
        self.id = id
    }

    /// Positions the writer after `"key":`.
    private mutating func begin(_ key: Key) throws {
        try writer.activate(id)
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
        writer.writeString(key.stringValue)
        writer.bytes.append(UInt8(ascii: ":"))
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); writer.writeLiteral("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); writer.writeLiteral(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); writer.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }

    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        try begin(key)
        try writer.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        writer.nestedKeyed(keyType, placed: (try? begin(key)) != nil)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.nestedUnkeyed(placed: (try? begin(key)) != nil)
    }

    mutating func superEncoder() -> any Encoder { writer.superEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer, PositionedValueWriter {
    let writer: JSONByteWriter
    let id: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: JSONByteWriter, id: Int) {
        self.writer = writer
        self.id = id
    }

    mutating func begin() throws {
        try writer.activate(id)
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        writer.nestedKeyed(keyType, placed: (try? begin()) != nil)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.nestedUnkeyed(placed: (try? begin()) != nil)
    }

    mutating func superEncoder() -> any Encoder { writer.superEncoder() }
}

/// Writes exactly one value where the encoder stands; a second one is left to JSONEncoder.
private struct SingleValueWriter: SingleValueEncodingContainer, PositionedValueWriter {
    let writer: JSONByteWriter
    let start: Int
    var codingPath: [any CodingKey] { [] }

    func begin() throws {
        guard writer.bytes.count == start else { throw writer.fail() }
    }
}

/// An unkeyed or single-value container: each value is written where ``begin()`` places
/// the writer (after a comma, or at the one value's start); the same primitives serve both.
private protocol PositionedValueWriter {
    var writer: JSONByteWriter { get }
    /// Places the writer for the next value, or throws when it cannot be written here.
    mutating func begin() throws
}

extension PositionedValueWriter {
    mutating func encodeNil() throws { try begin(); writer.writeLiteral("null") }
    mutating func encode(_ value: Bool) throws { try begin(); writer.writeLiteral(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try begin(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try begin(); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { try begin(); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try begin(); writer.writeInteger(value) }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try begin()
        try writer.encodeValue(value)
    }
}
