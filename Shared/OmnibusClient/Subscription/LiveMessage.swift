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
    package static func route(_ frames: [Data], to streams: [SourceStream]) -> Result<ReceivedEvent?, Rejection> {
        // Every live event passes here: the topic is matched as bytes against each stream's
        // `source.` prefix (a handful of streams: cheaper than making and hashing a String).
        guard frames.count == 2, let (stream, nameStart) = stream(for: frames[0], in: streams) else {
            return .failure(Rejection(reason: "wrong_frames", detail: "live message with \(frames.count) frames"))
        }
        let source = stream.source.name
        if hasName(Topic.heartbeatName, in: frames[0], from: nameStart) {
            guard let heartbeat = try? ContractCoding.decode(Heartbeat.self, from: frames[1]), heartbeat.source == source else {
                return .failure(Rejection(reason: "invalid_heartbeat", detail: "undecodable heartbeat from \(source)"))
            }
            if stream.noteEpoch(heartbeat.epoch) { stream.noteHead(heartbeat.head) }
            return .success(nil)
        }
        guard let header = try? EventHeader.decode(from: frames[1]),
              header.source == source, hasName(header.type, in: frames[0], from: nameStart), header.sequence > 0
        else {
            return .failure(Rejection(reason: "invalid_event", detail: "undecodable or mislabelled event from \(source)"))
        }
        return .success(stream.offer(ReceivedEvent(header: header, envelope: frames[1])))
    }

    /// The stream whose `source.` the topic starts with, and where the name after it starts.
    private static func stream(for topic: Data, in streams: [SourceStream]) -> (SourceStream, Int)? {
        topic.withUnsafeBytes { topic in
            for stream in streams where stream.topicPrefix.count <= topic.count {
                let matches = stream.topicPrefix.withUnsafeBytes { prefix in
                    memcmp(topic.baseAddress!, prefix.baseAddress!, prefix.count) == 0
                }
                if matches { return (stream, stream.topicPrefix.count) }
            }
            return nil
        }
    }

    /// Whether the topic's part from `nameStart` is exactly `name`.
    private static func hasName(_ name: String, in topic: Data, from nameStart: Int) -> Bool {
        var name = name
        return name.withUTF8 { name in
            topic.withUnsafeBytes { bytes in
                bytes.count - nameStart == name.count
                    && (name.isEmpty || memcmp(bytes.baseAddress! + nameStart, name.baseAddress!, name.count) == 0)
            }
        }
    }
}
