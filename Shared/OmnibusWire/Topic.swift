/// Topic naming on the bus.
///
/// An event is published with the topic `source.type` (e.g. `orders.cart.item_added`), so a
/// ZeroMQ prefix subscription selects a source (`orders.`) or a family of types
/// (`orders.cart.`). A source's heartbeat is published as `source._heartbeat`; names that
/// start with `_` are reserved for such control messages.
public enum Topic {
    /// The topic of an event.
    public static func event(source: String, type: String) -> String { "\(source).\(type)" }

    /// The topic of a source's heartbeat.
    public static func heartbeat(source: String) -> String { "\(source).\(heartbeatName)" }

    /// The prefix that selects every message of a source, heartbeats included.
    public static func sourcePrefix(_ source: String) -> String { "\(source)." }

    /// The name (after `source.`) a heartbeat is published under.
    public static let heartbeatName = "_heartbeat"

    /// Splits a topic into its source and the rest; nil if it has no dot.
    public static func split(_ topic: String) -> (source: String, name: String)? {
        guard let dot = topic.firstIndex(of: ".") else { return nil }
        return (String(topic[..<dot]), String(topic[topic.index(after: dot)...]))
    }

    /// Whether `name` (the part after the source) is the heartbeat.
    public static func isHeartbeat(name: String) -> Bool { name == heartbeatName }

    /// A service name: lowercase letters, digits and `-`, starting with a letter, at most 32.
    public static func isValidSource(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 32, first.isLowercaseLetter else { return false }
        return bytes.allSatisfy { $0.isLowercaseLetter || $0.isDigit || $0 == UInt8(ascii: "-") }
    }

    /// An event type: dot-separated words of lowercase letters, digits and `_`, each word
    /// starting with a letter, e.g. `customer.identifier_linked`; at most 96 characters.
    public static func isValidEventType(_ type: String) -> Bool {
        guard type.utf8.count <= 96 else { return false }
        let words = type.split(separator: ".", omittingEmptySubsequences: false)
        return !words.isEmpty && words.allSatisfy { word in
            guard let first = word.utf8.first, first.isLowercaseLetter else { return false }
            return word.utf8.allSatisfy { $0.isLowercaseLetter || $0.isDigit || $0 == UInt8(ascii: "_") }
        }
    }
}

extension UInt8 {
    fileprivate var isLowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
