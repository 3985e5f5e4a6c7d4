/// Text from a client made fit for a log line or an error sentence: control characters
/// escaped, so it stays on one line and cannot carry terminal escapes, and cut to a size in
/// bytes (not characters: one character may carry thousands of combining marks).
public enum SafeText {
    /// `text` with C0/C1 controls, DEL and the Unicode line separators escaped (`\n`,
    /// `\u{1B}`), cut to `maxBytes` of UTF-8 followed by how many bytes were left out.
    public static func escaped(_ text: String, maxBytes: Int) -> String {
        var result = ""
        var kept = 0
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.first {
            let piece = escaped(scalar)
            guard kept + piece.utf8.count <= maxBytes else {
                let rest = scalars.reduce(0) { $0 + UTF8.width($1) }
                return result + "…(\(rest) more bytes)"
            }
            result += piece
            kept += piece.utf8.count
            scalars = scalars.dropFirst()
        }
        return result
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: "\\n"
        case 0x0D: "\\r"
        case 0x09: "\\t"
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default: String(scalar)
        }
    }
}
