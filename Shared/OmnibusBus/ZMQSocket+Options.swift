import CZeroMQ
import Foundation

/// Typed socket options (see `zmq_setsockopt(3)`).
extension ZMQSocket {
    /// How long unsent messages are kept after ``close()``, in milliseconds.
    public func setLinger(milliseconds: Int32) throws {
        try setOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER")
    }

    /// How many outgoing messages may queue per peer before sends block or (PUB) drop.
    public func setSendHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    /// How many incoming messages may queue per peer before libzmq drops (SUB) or stops reading.
    public func setReceiveHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// The kernel's send buffer for this socket's connections, in bytes (0: the OS default).
    public func setSendBuffer(bytes: Int32) throws {
        try setOption(ZMQ_SNDBUF, bytes, name: "ZMQ_SNDBUF")
    }

    /// The kernel's receive buffer for this socket's connections, in bytes (0: the OS default).
    public func setReceiveBuffer(bytes: Int32) throws {
        try setOption(ZMQ_RCVBUF, bytes, name: "ZMQ_RCVBUF")
    }

    /// The largest inbound message accepted; a peer that sends a larger one is disconnected
    /// by libzmq. -1 means no limit.
    public func setMaxMessageSize(bytes: Int64) throws {
        try setOption(ZMQ_MAXMSGSIZE, int64: bytes, name: "ZMQ_MAXMSGSIZE")
    }

    /// ZMTP heartbeats: a PING every `interval`; a peer silent for `timeout` is dropped;
    /// `ttl` tells the peer how long to wait for us. All in milliseconds.
    public func setHeartbeat(intervalMilliseconds: Int32, timeoutMilliseconds: Int32, ttlMilliseconds: Int32) throws {
        try setOption(ZMQ_HEARTBEAT_IVL, intervalMilliseconds, name: "ZMQ_HEARTBEAT_IVL")
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeoutMilliseconds, name: "ZMQ_HEARTBEAT_TIMEOUT")
        try setOption(ZMQ_HEARTBEAT_TTL, ttlMilliseconds, name: "ZMQ_HEARTBEAT_TTL")
    }

    /// How soon libzmq retries a lost connection, in milliseconds.
    public func setReconnectInterval(milliseconds: Int32) throws {
        try setOption(ZMQ_RECONNECT_IVL, milliseconds, name: "ZMQ_RECONNECT_IVL")
    }

    /// When true, messages queue only to completed connections (no queueing for a peer
    /// that is not there yet).
    public func setImmediate(_ enabled: Bool) throws {
        try setOption(ZMQ_IMMEDIATE, Int32(enabled ? 1 : 0), name: "ZMQ_IMMEDIATE")
    }

    /// The identity a DEALER or REQ presents to a ROUTER.
    public func setRoutingId(_ id: Data) throws {
        try setOption(ZMQ_ROUTING_ID, bytes: id, name: "ZMQ_ROUTING_ID")
    }

    /// SUB: receive messages whose first frame starts with `prefix` (empty: everything).
    public func subscribe(_ prefix: String) throws {
        try setOption(ZMQ_SUBSCRIBE, bytes: Data(prefix.utf8), name: "ZMQ_SUBSCRIBE")
    }

    /// SUB: stop receiving messages for a prefix given to ``subscribe(_:)``.
    public func unsubscribe(_ prefix: String) throws {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: Data(prefix.utf8), name: "ZMQ_UNSUBSCRIBE")
    }

    /// Makes this socket a CURVE server with the given Z85 secret key.
    ///
    /// Without a ZAP handler at `inproc://zeromq.zap.01` any client that knows the server's
    /// public key is accepted.
    public func setCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1), name: "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Data(secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes this socket a CURVE client of a server with `serverPublicKey` (all keys Z85).
    public func setCurveClient(serverPublicKey: String, keys: CurveKeyPair) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Data(serverPublicKey.utf8), name: "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Data(keys.publicKey.utf8), name: "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Data(keys.secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
    }

    // MARK: raw access

    func setOption(_ option: Int32, _ value: Int32, name: String) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt", detail: name)
        }
    }

    func setOption(_ option: Int32, int64 value: Int64, name: String) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt", detail: name)
        }
    }

    func setOption(_ option: Int32, bytes: Data, name: String) throws {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZMQError.last("zmq_setsockopt", detail: name) }
    }

    func stringOption(_ option: Int32, name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, option, &buffer, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt", detail: name)
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
