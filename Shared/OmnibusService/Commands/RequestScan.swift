import Foundation

/// Reads a command request's name without parsing the request, so the command's own type
/// can decode it in one pass (``CommandServer``'s usual path). Anything unusual — the field
/// missing, an escape in the name — returns nil, and the full decoding explains it.
enum RequestScan {
    private static let key = Array(#""command":""#.utf8)

    static func commandName(in body: Data) -> String? {
        body.withUnsafeBytes { bytes -> String? in
            guard let start = find(key, in: bytes) else { return nil }
            let nameStart = start + key.count
            guard let end = bytes[nameStart...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                  bytes[end] == UInt8(ascii: "\""), end - nameStart <= 256
            else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<end]), as: UTF8.self)
        }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            guard let first = bytes[index...].firstIndex(of: needle[0]), first <= bytes.count - needle.count else { return nil }
            if needle.indices.allSatisfy({ bytes[first + $0] == needle[$0] }) { return first }
            index = first + 1
        }
        return nil
    }
}
