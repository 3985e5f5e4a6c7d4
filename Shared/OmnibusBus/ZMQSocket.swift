import CZeroMQ
import Foundation

/// One libzmq socket.
///
/// libzmq sockets are not thread safe, so this class is deliberately not `Sendable`: it is
/// made, used and closed on one thread (see ``DedicatedThread``). Messages cross that
/// boundary as copied `Data` frames, never as libzmq buffers.
public final class ZMQSocket {
    /// The pattern this socket was made with.
    public let type: SocketType
    let handle: UnsafeMutableRawPointer
    private let context: ZMQContext  // keeps the context alive until this socket is closed
    private var isClosed = false

    /// Makes a socket with a bounded LINGER, so that closing it and terminating its
    /// context never waits for a peer that is gone.
    public init(context: ZMQContext, type: SocketType, lingerMilliseconds: Int32 = 200) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket", detail: "\(type)")
        }
        self.handle = handle
        self.context = context
        self.type = type
        try setOption(ZMQ_LINGER, lingerMilliseconds, name: "ZMQ_LINGER")
    }

    deinit { close() }

    /// Closes the socket; further use throws. Safe to call more than once.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    /// Binds to an endpoint such as `tcp://127.0.0.1:5550`, `tcp://127.0.0.1:*` or `ipc:///tmp/x`.
    /// On a context with ``ZMQContext/curve`` only `inproc://` may be bound so; a server
    /// endpoint goes through ``bind(_:zapDomain:)``, never in plaintext.
    public func bind(_ endpoint: String) throws {
        if context.curve != nil, !endpoint.hasPrefix("inproc://"), !isCurveServer {
            throw ZMQError(function: "zmq_bind", code: EACCES,
                           detail: "\(endpoint): a CURVE context binds servers with bind(_:zapDomain:), never in plaintext")
        }
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind", detail: endpoint) }
    }

    private var isCurveServer: Bool {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return zmq_getsockopt(handle, ZMQ_CURVE_SERVER, &value, &size) == 0 && value == 1
    }

    /// Binds a server endpoint. When the context has ``ZMQContext/curve`` the socket is a
    /// CURVE server first, and every client's handshake goes to the process's ZAP handler
    /// with `zapDomain` (which names the endpoint, such as `identity.replay`), so the handler
    /// can admit a client to one endpoint and not another.
    public func bind(_ endpoint: String, zapDomain: String) throws {
        if let curve = context.curve {
            try setCurveServer(secretKey: curve.keys.secretKey)
            try setOption(ZMQ_ZAP_DOMAIN, bytes: Data(zapDomain.utf8), name: "ZMQ_ZAP_DOMAIN")
        }
        try bind(endpoint)
    }

    /// Connects to an endpoint; libzmq connects (and reconnects) in the background. When the
    /// context has ``ZMQContext/curve`` the connection is a CURVE client of the endpoint's
    /// server key (libzmq takes the keys per connection, so one socket may connect to
    /// several servers), and an endpoint without a known key is refused, never reached in
    /// plaintext. Within the process (`inproc://`) there is no wire and no handshake.
    public func connect(_ endpoint: String) throws {
        if let curve = context.curve, !endpoint.hasPrefix("inproc://") {
            guard let serverKey = curve.serverKey(for: endpoint) else {
                throw ZMQError(function: "zmq_connect", code: EACCES,
                               detail: "no CURVE server key is known for \(endpoint); refusing to connect in plaintext")
            }
            try setCurveClient(serverPublicKey: serverKey, keys: curve.keys)
        }
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect", detail: endpoint) }
    }

    /// Stops connecting to an endpoint given to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect", detail: endpoint) }
    }

    /// The endpoint last bound or connected, with a wildcard port resolved to the real one.
    public var lastEndpoint: String {
        get throws { try stringOption(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    }

    /// Sends one message made of `frames` (all frames, or none, reach the peer).
    ///
    /// - Parameter wait: when false, returns `false` instead of blocking if the message
    ///   cannot be queued now (high-water mark reached, or no peer for a ROUTER/DEALER).
    /// - Returns: whether the message was queued.
    @discardableResult
    public func send(_ frames: [Data], wait: Bool = true) throws -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < last ? ZMQ_SNDMORE : 0
            if !wait { flags |= ZMQ_DONTWAIT }
            while true {
                let result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if result >= 0 { break }
                let code = zmq_errno()
                if code == EINTR { continue }
                // libzmq queues multipart messages atomically: only the first frame can be refused.
                if code == EAGAIN && index == 0 { return false }
                throw ZMQError(function: "zmq_send", code: code)
            }
        }
        return true
    }

    /// Sends a two-frame message (such as topic and body) straight from memory the caller
    /// holds — the publisher's per-event path, which then copies each frame only once.
    /// libzmq has copied both frames when this returns; otherwise as ``send(_:wait:)``.
    @discardableResult
    public func send(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, wait: Bool = true) throws -> Bool {
        let dontWait: Int32 = wait ? 0 : ZMQ_DONTWAIT
        guard try sendFrame(first, flags: ZMQ_SNDMORE | dontWait) else { return false }
        // After the first frame is queued, libzmq accepts the rest of the message.
        return try sendFrame(second, flags: dontWait)
    }

    private func sendFrame(_ frame: UnsafeRawBufferPointer, flags: Int32) throws -> Bool {
        while zmq_send(handle, frame.baseAddress, frame.count, flags) < 0 {
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && flags & ZMQ_SNDMORE != 0 { return false }
            throw ZMQError(function: "zmq_send", code: code)
        }
        return true
    }

    /// Sends a message whose frames are UTF-8 strings.
    @discardableResult
    public func send(_ frames: [String], wait: Bool = true) throws -> Bool {
        try send(frames.map { Data($0.utf8) }, wait: wait)
    }

    /// Receives one whole message (every frame of it).
    ///
    /// - Parameter wait: when false, returns `nil` at once if no message is waiting.
    public func receive(wait: Bool = true) throws -> [Data]? {
        var userId: String?
        return try receive(wait: wait, userId: &userId)
    }

    /// Receives one whole message and the user id the ZAP handler gave its sender at the
    /// handshake (nil on a socket without authentication).
    public func receiveAuthenticated(wait: Bool = true) throws -> (frames: [Data], userId: String?)? {
        var userId: String?
        guard let frames = try receive(wait: wait, userId: &userId) else { return nil }
        return (frames, userId)
    }

    private func receive(wait: Bool, userId: inout String?) throws -> [Data]? {
        var frames: [Data] = []
        var message = zmq_msg_t()
        var more = true
        while more {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            // Once the first frame is here, libzmq guarantees the rest are too.
            let flags: Int32 = (wait || !frames.isEmpty) ? 0 : ZMQ_DONTWAIT
            while zmq_msg_recv(&message, handle, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(function: "zmq_msg_recv", code: code)
            }
            // A ROUTER's routing-id frame is made locally and carries no metadata; the peer's frames do.
            if userId == nil, let property = zmq_msg_gets(&message, "User-Id") {
                userId = String(cString: property)
            }
            frames.append(Data(bytes: zmq_msg_data(&message), count: zmq_msg_size(&message)))
            more = zmq_msg_more(&message) != 0
        }
        return frames
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for a message to read.
    public func waitForInput(timeoutMilliseconds: Int) throws -> Bool {
        try ZMQPoller.poll([self], timeoutMilliseconds: timeoutMilliseconds)[0]
    }
}
