import Foundation
import OmnibusContracts

/// Reads one message from a SUB socket for the streams it may belong to: a heartbeat moves
/// its stream's known head; an event is offered to its stream. The subscriber and the tap
/// both read the bus through this, so they agree on what a valid live message is.
package enum LiveMessage {
    /// Why a message was unusable: a metric reason and a detail for the log.
    package struct Rejection: Error {
        package let reason: String
        package let detail: String
    }

    /// The event that follows on in its stream, or nil when there is none to apply now
    /// (a heartbeat, a duplicate, or an event after a gap that replay will fill).
    package static func route(_ frames: [Data], to streams: [String: SourceStream]) -> Result<ReceivedEvent?, Rejection> {
        // Every live event passes here: the topic is read as bytes, and only the source
        // (a short, usually inline string) becomes a String.
        guard frames.count == 2, let topic = TopicBytes(frames[0]), let stream = streams[topic.source] else {
            return .failure(Rejection(reason: "wrong_frames", detail: "live message with \(frames.count) frames"))
        }
        if topic.isHeartbeat {
            guard let heartbeat = try? ContractCoding.decode(Heartbeat.self, from: frames[1]), heartbeat.source == topic.source else {
                return .failure(Rejection(reason: "invalid_heartbeat", detail: "undecodable heartbeat from \(topic.source)"))
            }
            stream.noteHead(heartbeat.head)
            return .success(nil)
        }
        guard let header = try? EventHeader.decode(from: frames[1]),
              header.source == topic.source, topic.hasName(header.type), header.sequence > 0
        else {
            return .failure(Rejection(reason: "invalid_event", detail: "undecodable or mislabelled event from \(topic.source)"))
        }
        return .success(stream.offer(ReceivedEvent(header: header, envelope: frames[1])))
    }
}

/// A topic frame `source.name` split at its first dot, the name left as bytes.
private struct TopicBytes {
    let source: String
    private let frame: Data
    private let nameStart: Int

    init?(_ frame: Data) {
        guard let dot = frame.withUnsafeBytes({ $0.firstIndex(of: UInt8(ascii: ".")) }),
              let source = String(validating: frame.prefix(dot), as: UTF8.self) else { return nil }
        self.source = source
        self.frame = frame
        nameStart = dot + 1
    }

    var isHeartbeat: Bool { hasName(Topic.heartbeatName) }

    /// Whether the part after the dot is exactly `name`.
    func hasName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { name in
            frame.withUnsafeBytes { bytes in
                bytes.count - nameStart == name.count && (name.isEmpty || memcmp(bytes.baseAddress! + nameStart, name.baseAddress!, name.count) == 0)
            }
        }
    }
}
