import CZeroMQ

/// A libzmq context: the owner of I/O threads and of every socket made from it.
///
/// libzmq documents contexts as thread safe, so one context is shared by all threads of a
/// process. It is terminated when the last reference goes away, which happens only after
/// every socket made from it has been closed (each socket keeps its context alive), and
/// every socket is made with a bounded LINGER, so termination never hangs.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: the raw pointer is only passed to libzmq's thread-safe context functions.
    let handle: UnsafeMutableRawPointer
    /// When set, every socket of this context speaks CURVE (see ``CurveSecurity``); nil:
    /// plaintext, for local development on loopback.
    public let curve: CurveSecurity?

    /// Creates a context with `ioThreads` background I/O threads and room for `maxSockets`
    /// sockets (libzmq's default is 1,023; a gateway with a reader per stream needs more).
    public init(ioThreads: Int32 = 1, maxSockets: Int32? = nil, curve: CurveSecurity? = nil) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        self.curve = curve
        for (option, value, name) in [(ZMQ_IO_THREADS, ioThreads, "ZMQ_IO_THREADS"), (ZMQ_MAX_SOCKETS, maxSockets, "ZMQ_MAX_SOCKETS")] {
            guard let value else { continue }
            if zmq_ctx_set(handle, option, value) != 0 {
                let error = ZMQError.last("zmq_ctx_set", detail: name)
                zmq_ctx_term(handle)
                throw error
            }
        }
    }

    /// Makes blocking calls on every socket of this context return with `ETERM`.
    ///
    /// Loops that poll with a timeout see their stop flag anyway; this is for the rare
    /// caller blocked without one.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// libzmq's version as (major, minor, patch).
    public static var version: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether this libzmq was built with a capability such as `"curve"` or `"ipc"`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
