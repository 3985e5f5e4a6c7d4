import CZeroMQ

/// Waits on several sockets of one thread at once.
public enum ZMQPoller {
    /// Waits up to `timeoutMilliseconds` (-1: forever) until at least one socket has a
    /// message to read, and says which do. An interrupted wait returns all false.
    public static func poll(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = sockets.map {
            zmq_pollitem_t(socket: $0.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0)
        }
        let result = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
        if result < 0 {
            let code = zmq_errno()
            if code == EINTR { return Array(repeating: false, count: sockets.count) }
            throw ZMQError(function: "zmq_poll", code: code)
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
