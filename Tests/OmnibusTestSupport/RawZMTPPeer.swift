import Foundation

/// A ZMTP 3.0 peer written by hand over a plain TCP socket (NULL mechanism): what an
/// attacker's client that follows the spec but not libzmq's habits looks like. It sends
/// what a libzmq socket would refuse to send or keep itself (a subscription of megabytes).
public final class RawZMTPPeer {
    private let descriptor: Int32

    /// Connects to a loopback port and completes the handshake as a socket of `socketType`
    /// (`SUB`, `DEALER`, …).
    public init(loopbackPort port: Int, socketType: String) throws {
        descriptor = try connectedLoopbackSocket(port: port)
        var greeting = [UInt8](repeating: 0, count: 64)
        greeting[0] = 0xFF
        greeting[9] = 0x7F
        greeting[10] = 3  // version 3.0
        for (index, byte) in "NULL".utf8.enumerated() { greeting[12 + index] = byte }
        try write(greeting)
        let property = [UInt8]("Socket-Type".utf8)
        var ready: [UInt8] = [5] + Array("READY".utf8) + [UInt8(property.count)] + property
        ready += withUnsafeBytes(of: UInt32(socketType.utf8.count).bigEndian, Array.init) + Array(socketType.utf8)
        try write([0x04, UInt8(ready.count)] + ready)
        // The server's greeting (64 bytes) and READY command must arrive before it reads ours as done.
        _ = try read(atLeast: 64 + 2, timeoutMilliseconds: 10_000)
    }

    deinit { close(descriptor) }

    /// Sends one single-frame message (a long frame when over 255 bytes); false when the
    /// peer closed the connection before all of it was sent (libzmq reads a frame's size
    /// first and may drop the connection right there).
    @discardableResult
    public func sendMessage(_ body: [UInt8]) throws -> Bool {
        let frame = body.count <= 255
            ? [0x00, UInt8(body.count)] + body
            : [0x02] + withUnsafeBytes(of: UInt64(body.count).bigEndian, Array.init) + body
        do {
            try write(frame)
            return true
        } catch let error as POSIXError where [.ECONNRESET, .EPIPE].contains(error.code) {
            return false
        }
    }

    /// Whether the peer closes the connection within `timeoutMilliseconds` (what libzmq does
    /// to a peer that breaks a limit), reading and discarding whatever it sends meanwhile.
    public func isClosedByPeer(within timeoutMilliseconds: Int) throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
        return false
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPIPE) }
            offset += sent
        }
    }

    private func read(atLeast count: Int, timeoutMilliseconds: Int32) throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < count {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, timeoutMilliseconds) > 0 else { throw POSIXError(.ETIMEDOUT) }
            let got = recv(descriptor, &buffer, buffer.count, 0)
            guard got > 0 else { throw POSIXError(.ECONNRESET) }
            received += buffer[..<got]
        }
        return received
    }
}
