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
        guard frames.count == 2, let topic = String(data: frames[0], encoding: .utf8),
              let (sourceName, name) = Topic.split(topic), let stream = streams[sourceName]
        else {
            return .failure(Rejection(reason: "wrong_frames", detail: "live message with \(frames.count) frames"))
        }
        if Topic.isHeartbeat(name: name) {
            guard let heartbeat = try? ContractCoding.decode(Heartbeat.self, from: frames[1]), heartbeat.source == sourceName else {
                return .failure(Rejection(reason: "invalid_heartbeat", detail: "undecodable heartbeat on \(topic)"))
            }
            stream.noteHead(heartbeat.head)
            return .success(nil)
        }
        guard let header = try? EventHeader.decode(from: frames[1]),
              header.source == sourceName, header.topic == topic, header.sequence > 0
        else {
            return .failure(Rejection(reason: "invalid_event", detail: "undecodable or mislabelled event on \(topic)"))
        }
        return .success(stream.offer(ReceivedEvent(header: header, envelope: frames[1])))
    }
}
