import Foundation

/// Reads, without parsing the document, the string that follows `prefix` in JSON bytes —
/// a request's `"command":"` or a reply's leading `{"requestId":"`, which every Omnibus
/// writer puts compactly — when it holds nothing to unescape. nil otherwise (the prefix
/// absent, an escape or control character in the string, invalid UTF-8): the caller then
/// decodes the document, which explains or handles it.
package enum PlainJSONString {
    /// The string after the first occurrence of `prefix`, or only after one at the very
    /// start when `atStart`.
    package static func following(_ prefix: [UInt8], in data: Data, atStart: Bool) -> String? {
        data.withUnsafeBytes { raw -> String? in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            guard let start = atStart ? (bytes.starts(with: prefix) ? 0 : nil) : firstIndex(of: prefix, in: bytes) else {
                return nil
            }
            let valueStart = start + prefix.count
            var nonASCII = false
            let end = JSONStringRun.end(in: bytes, from: valueStart, nonASCII: &nonASCII)
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
            let utf8 = UnsafeBufferPointer(rebasing: bytes[valueStart..<end])
            // ASCII is valid UTF-8 as it is; only other bytes need validating.
            return nonASCII ? String(validating: utf8, as: UTF8.self) : String(decoding: utf8, as: UTF8.self)
        }
    }

    private static func firstIndex(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let firstByte = needle.first, bytes.count >= needle.count else { return nil }
        var index = 0
        while let candidate = bytes[index...].firstIndex(of: firstByte), candidate <= bytes.count - needle.count {
            if needle.indices.allSatisfy({ bytes[candidate + $0] == needle[$0] }) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
