import CZeroMQ

/// A libzmq call that failed: which function, the `errno` it left, and libzmq's own sentence for it.
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libzmq function that failed, e.g. `zmq_bind`.
    public let function: String
    /// The `errno` value libzmq reported (`zmq_errno()`).
    public let code: Int32
    /// Extra context from the caller, e.g. the endpoint of a failed bind.
    public let detail: String?

    public init(function: String, code: Int32, detail: String? = nil) {
        self.function = function
        self.code = code
        self.detail = detail
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ function: String, detail: String? = nil) -> ZMQError {
        ZMQError(function: function, code: zmq_errno(), detail: detail)
    }

    /// The context was terminated or shut down: every loop using it should stop.
    public var isContextTerminated: Bool { code == ETERM }

    public var description: String {
        let reason = String(cString: zmq_strerror(code))
        if let detail { return "\(function) failed (\(detail)): \(reason) [errno \(code)]" }
        return "\(function) failed: \(reason) [errno \(code)]"
    }
}
