import CZeroMQ
import Foundation

/// What a socket monitor reports about a connection: its handshake, and its end (see
/// `zmq_socket_monitor(3)`).
public enum ConnectionEvent: Sendable, Equatable {
    case succeeded
    /// The server's ZAP handler refused the client; `status` is its ZAP status code (400).
    case refusedByAuthentication(status: UInt32)
    /// The peer broke the ZMTP or security protocol (e.g. a wrong server key).
    case failedProtocol
    case failed
    /// The connection was closed (by the peer, or by libzmq after a protocol violation).
    case disconnected

    /// Reads one monitor message (an event frame and an endpoint frame); nil for other events.
    public init?(monitorFrames frames: [Data]) {
        guard let first = frames.first, first.count >= 6 else { return nil }
        let event = UInt16(first[first.startIndex]) | UInt16(first[first.startIndex + 1]) << 8
        let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(first[first.startIndex + 2 + $1]) << (8 * $1) }
        switch Int32(event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .succeeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .refusedByAuthentication(status: value)
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: self = .failedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: self = .failed
        case ZMQ_EVENT_DISCONNECTED: self = .disconnected
        default: return nil
        }
    }
}

extension ZMQSocket {
    /// Publishes this socket's handshake and disconnection events on a PAIR socket at
    /// `address` (an inproc:// endpoint): connect a `.pair` socket there and read
    /// ``ConnectionEvent``s.
    public func monitorConnections(at address: String) throws {
        let events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
            | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED
        guard zmq_socket_monitor(handle, address, events) == 0 else {
            throw ZMQError.last("zmq_socket_monitor", detail: address)
        }
    }
}
