import Foundation
import OmnibusContracts
import OmnibusWire

/// Checks every service makes on what channels send, each failing with `invalid_argument`
/// and a sentence that never echoes more than the start of the value.
public enum InputCheck {
    /// The longest free text (names, reasons) unless a field says otherwise, in characters.
    public static let maxTextLength = 200

    /// Ids and SKUs: 1 to 64 of a-z, A-Z, 0-9, '-', '_', '.'.
    public static func identifier(_ value: String, _ field: String) throws {
        let allowed = value.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95 || byte == 46
        }
        guard (1...64).contains(value.utf8.count), allowed else {
            throw OmnibusError(.invalidArgument, "\(field) must be 1 to 64 letters, digits, '-', '_' or '.'; got '\(excerpt(value))'")
        }
    }

    /// Free text: not blank, at most `maxLength` characters and four times that in bytes.
    public static func text(_ value: String, _ field: String, maxLength: Int = maxTextLength) throws {
        guard value.utf8.count <= maxLength * 4, value.count <= maxLength, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw OmnibusError(.invalidArgument, "\(field) must be 1 to \(maxLength) characters")
        }
    }

    public static func currency(_ currency: String) throws {
        guard Money.isValidCurrency(currency) else {
            throw OmnibusError(.invalidArgument, "currency must be an ISO 4217 code such as EUR; got '\(excerpt(currency))'")
        }
    }

    /// The start of a value (64 bytes at most, control characters escaped), for error
    /// messages that must not echo a huge input or break a log line.
    public static func excerpt(_ value: String, maxBytes: Int = 64) -> String {
        SafeText.escaped(value, maxBytes: maxBytes)
    }
}
