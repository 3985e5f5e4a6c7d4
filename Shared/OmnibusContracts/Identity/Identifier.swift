import Foundation

/// The kinds of identifier that lead to a customer.
public enum IdentifierKind: String, Codable, Sendable, CaseIterable, Hashable {
    case email
    /// A phone number, kept in E.164 (`+4930123456`).
    case phone
    case instagram
    case facebook
    /// A handle on X (formerly Twitter); `twitter` is accepted as a synonym on input.
    case x
    /// A messenger's id for the customer (a Messenger PSID, a chat platform user id).
    case messenger
    /// An app install or device id.
    case device
    case loyaltyCard = "loyalty_card"

    /// Parses a kind as a client spells it, case-insensitively; nil when unknown.
    public init?(spelling: String) {
        let lowered = spelling.lowercased()
        if lowered == "twitter" { self = .x; return }
        self.init(rawValue: lowered)
    }

    /// Identifiers that identify a person to the brand (not just a device or a handle):
    /// linking a verified one makes a provisional profile registered.
    public var identifiesPerson: Bool {
        switch self {
        case .email, .phone, .loyaltyCard: true
        default: false
        }
    }
}

/// An identifier in its canonical form: the same person typed twice gives equal values
/// (`A.Person@Example.COM ` and `a.person@example.com`), so it can key a lookup.
public struct Identifier: Codable, Sendable, Hashable, CustomStringConvertible {
    public let kind: IdentifierKind
    public let value: String

    /// The longest raw value accepted, before normalising.
    public static let maxInputLength = 256

    /// Normalises and checks `value` as an identifier of `kind`; throws `invalid_argument`
    /// with a sentence a front end can show.
    public init(kind: IdentifierKind, value raw: String) throws {
        guard raw.utf8.count <= Self.maxInputLength else {
            throw OmnibusError(.invalidArgument, "\(kind.rawValue) is longer than \(Self.maxInputLength) bytes")
        }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw OmnibusError(.invalidArgument, "\(kind.rawValue) is empty") }
        self.kind = kind
        self.value = try IdentifierNormalizer.normalize(trimmed, as: kind)
    }

    /// Parses a kind spelled by a client, then the value.
    public init(kind spelling: String, value: String) throws {
        guard let kind = IdentifierKind(spelling: spelling) else {
            let known = IdentifierKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw OmnibusError(.invalidArgument, "unknown identifier kind '\(SafeText.escaped(spelling, maxBytes: 64))'; known kinds: \(known)")
        }
        try self.init(kind: kind, value: value)
    }

    public var description: String { "\(kind.rawValue):\(value)" }
}

/// What a client sends to name an identifier: the kind as spelled and the raw value.
public struct IdentifierInput: Codable, Sendable, Hashable {
    public var kind: String
    public var value: String

    public init(kind: String, value: String) {
        self.kind = kind
        self.value = value
    }

    public init(_ kind: IdentifierKind, _ value: String) {
        self.init(kind: kind.rawValue, value: value)
    }

    /// The canonical identifier, or `invalid_argument`.
    public func parsed() throws -> Identifier { try Identifier(kind: kind, value: value) }
}
