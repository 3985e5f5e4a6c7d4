import Foundation

/// Whether something accepts TCP connections at an address: how `omnibus up` tells the HTTP
/// gateway is up (it has no ZeroMQ health endpoint).
enum ListeningProbe {
    static func accepts(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(found) }
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let current = address {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0 {
                let connected = connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0
                close(fd)
                if connected { return true }
            }
            address = current.pointee.ai_next
        }
        return false
    }
}
