import Foundation
import OmnibusBus

/// A message read from a ROUTER socket: the peer's routing id, whether it used the REQ-style
/// empty delimiter frame, and the body frames. Replies mirror the same framing, so both
/// DEALER and REQ clients are served.
struct RoutedMessage {
    let identity: Data
    let hasDelimiter: Bool
    let body: [Data]
    /// Who sent it, as the ZAP handler named the connection's key (nil without authentication).
    let principal: String?

    /// Splits raw ROUTER frames; nil when not even a routing id and one body frame are there.
    init?(frames: [Data], principal: String? = nil) {
        guard frames.count >= 2 else { return nil }
        self.principal = principal
        identity = frames[0]
        hasDelimiter = frames[1].isEmpty && frames.count >= 3
        body = Array(frames.dropFirst(hasDelimiter ? 2 : 1))
    }

    /// Whose rate limit the message counts against: its principal's, else its connection's.
    var rateClient: RateLimiter.Client {
        principal.map { .principal($0) } ?? .connection(identity)
    }

    /// Sends `frames` back to the peer; a peer that has gone is skipped by the ROUTER.
    func reply(_ frames: [Data], on socket: ZMQSocket) throws {
        let head = hasDelimiter ? [identity, Data()] : [identity]
        try socket.send(head + frames, wait: false)
    }
}
