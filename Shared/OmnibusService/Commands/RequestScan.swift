import Foundation
import OmnibusContracts

/// Reads a command request's name without parsing the request, so the command's own type
/// can decode it in one pass (``CommandServer``'s usual path). Anything unusual — the field
/// missing or spaced, an escape in the name, an implausibly long name — returns nil, and the
/// full decoding explains it.
enum RequestScan {
    private static let key = Array(#""command":""#.utf8)

    static func commandName(in body: Data) -> String? {
        guard let name = PlainJSONString.following(key, in: body, atStart: false), name.utf8.count <= 256 else { return nil }
        return name
    }
}
