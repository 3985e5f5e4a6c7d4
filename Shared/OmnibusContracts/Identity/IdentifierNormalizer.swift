import Foundation

/// The canonical form of each identifier kind. Pure functions, shared by the identity
/// service and any front end that wants to check input before sending it. Error messages
/// never repeat the value: a refused command's reply is stored, and the value may be
/// personal data.
enum IdentifierNormalizer {
    static func normalize(_ value: String, as kind: IdentifierKind) throws -> String {
        switch kind {
        case .email: try email(value)
        case .phone: try phone(value)
        case .instagram: try handle(value, kind: kind, allowed: lowerAlnum + "._", length: 1...30)
        case .facebook: try handle(value, kind: kind, allowed: lowerAlnum + ".", length: 5...50)
        case .x: try handle(value, kind: kind, allowed: lowerAlnum + "_", length: 1...15)
        case .messenger, .device: try opaque(value, kind: kind)
        case .loyaltyCard: try loyaltyCard(value)
        }
    }

    private static let lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

    /// Lowercased whole: domains are case-insensitive and no mail system in use treats
    /// the local part's case as significant, so two spellings must meet one customer.
    static func email(_ value: String) throws -> String {
        let lowered = value.lowercased()
        let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, lowered.utf8.count <= 254 else {
            throw OmnibusError(.invalidArgument, "the e-mail address is not valid (one @ expected)")
        }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set(lowerAlnum + ".!#$%&'*+/=?^_`{|}~-")
        guard (1...64).contains(local.utf8.count), local.allSatisfy(localAllowed.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else {
            throw OmnibusError(.invalidArgument, "the e-mail address is not valid (bad local part)")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let labelAllowed = Set(lowerAlnum + "-")
        guard labels.count >= 2, labels.allSatisfy({ label in
            (1...63).contains(label.utf8.count) && label.allSatisfy(labelAllowed.contains)
                && !label.hasPrefix("-") && !label.hasSuffix("-")
        }) else {
            throw OmnibusError(.invalidArgument, "the e-mail address is not valid (bad domain)")
        }
        return lowered
    }

    /// E.164: `+`, a country code and subscriber number, 8 to 15 digits in all, first not 0.
    /// Spaces, dots, dashes and parentheses are dropped; `00` stands for `+`. A number
    /// without a country code is refused rather than guessed.
    static func phone(_ value: String) throws -> String {
        var digits = ""
        var plus = false
        // "+44 (0)7700 900123": the national trunk prefix in parentheses is not dialled from
        // abroad, so E.164 leaves it out (it is not the first digit of the number).
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let written = trimmed.hasPrefix("+") || trimmed.hasPrefix("00")
            ? trimmed.replacingOccurrences(of: #"\(\s*0\s*\)"#, with: "", options: .regularExpression) : trimmed
        for (index, character) in written.enumerated() {
            if character == "+" && index == 0 { plus = true; continue }
            if " .-()/".contains(character) { continue }
            guard character.isASCII, character.isNumber else {
                throw OmnibusError(.invalidArgument, "the phone number contains '\(SafeText.escaped(String(character), maxBytes: 16))'; "
                                   + "only digits, spaces, '.', '-', '(', ')', '/' and a leading '+' are allowed")
            }
            digits.append(character)
        }
        if !plus && digits.hasPrefix("00") {
            digits.removeFirst(2)
            plus = true
        }
        guard plus else {
            throw OmnibusError(.invalidArgument, "the phone number has no country code; send it in E.164 form, e.g. +4930123456")
        }
        guard (8...15).contains(digits.count), digits.first != "0" else {
            throw OmnibusError(.invalidArgument, "the phone number is not E.164 (8 to 15 digits after '+', the first not 0)")
        }
        return "+" + digits
    }

    /// Social handles: without the leading `@`, lowercased (the networks treat them so).
    static func handle(_ value: String, kind: IdentifierKind, allowed: String, length: ClosedRange<Int>) throws -> String {
        let handle = (value.hasPrefix("@") ? String(value.dropFirst()) : value).lowercased()
        let allowedSet = Set(allowed)
        guard length.contains(handle.count), handle.allSatisfy(allowedSet.contains) else {
            throw OmnibusError(.invalidArgument,
                "the \(kind.rawValue) handle is not valid (\(length.lowerBound)-\(length.upperBound) of: \(allowed))")
        }
        return handle
    }

    /// Ids made by platforms: kept exactly (they may be case-sensitive), printable ASCII only.
    static func opaque(_ value: String, kind: IdentifierKind) throws -> String {
        let allowed = Set(lowerAlnum + "ABCDEFGHIJKLMNOPQRSTUVWXYZ._:-")
        guard value.utf8.count <= 128, value.allSatisfy(allowed.contains) else {
            throw OmnibusError(.invalidArgument,
                "the \(kind.rawValue) id is not valid (up to 128 letters, digits, '.', '_', ':', '-')")
        }
        return value
    }

    /// Card numbers as printed: spaces and dashes dropped, letters uppercased.
    static func loyaltyCard(_ value: String) throws -> String {
        let compact = value.filter { $0 != " " && $0 != "-" }.uppercased()
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        guard (4...32).contains(compact.count), compact.allSatisfy(allowed.contains) else {
            throw OmnibusError(.invalidArgument, "the loyalty card number is not valid (4-32 letters or digits)")
        }
        return compact
    }
}
