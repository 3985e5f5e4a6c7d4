import CZeroMQ

/// Waits on several sockets of one thread at once.
public enum ZMQPoller {
    /// Waits up to `timeoutMilliseconds` (-1: forever) until at least one socket has a
    /// message to read, and says which do. An interrupted wait returns all false.
    public static func poll(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        try poll(items(sockets), timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Waits as ``poll(_:timeoutMilliseconds:)`` does, and also returns when `wake` is
    /// signalled from another thread; the last element says whether it was.
    public static func poll(_ sockets: [ZMQSocket], wakingOn wake: WakeSignal, timeoutMilliseconds: Int) throws -> [Bool] {
        try poll(sockets, wakingOn: [wake], timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Waits as ``poll(_:timeoutMilliseconds:)`` does, and also returns when any of `wakes`
    /// is signalled; the last `wakes.count` elements say which were.
    public static func poll(_ sockets: [ZMQSocket], wakingOn wakes: [WakeSignal], timeoutMilliseconds: Int) throws -> [Bool] {
        try poll(items(sockets) + wakes.map { zmq_pollitem_t(socket: nil, fd: $0.readEnd, events: Int16(ZMQ_POLLIN), revents: 0) },
                 timeoutMilliseconds: timeoutMilliseconds)
    }

    private static func items(_ sockets: [ZMQSocket]) -> [zmq_pollitem_t] {
        sockets.map { zmq_pollitem_t(socket: $0.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0) }
    }

    private static func poll(_ items: [zmq_pollitem_t], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = items
        let result = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
        if result < 0 {
            let code = zmq_errno()
            if code == EINTR { return Array(repeating: false, count: items.count) }
            throw ZMQError(function: "zmq_poll", code: code)
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
