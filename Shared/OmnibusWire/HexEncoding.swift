/// Bytes as lowercase hexadecimal, two digits a byte: how token hashes and webhook
/// signatures are written. Written by hand because `String(format: "%02x")` per byte costs
/// more than the hashing it follows.
public enum HexEncoding {
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
