import Foundation

/// How long this machine's disk takes to make an append durable, right now: every commit
/// waits for one such sync, so the latency figures of a run are read against it (on the
/// shared VM it has ranged from p99 0.6 ms to 7 ms at different hours).
enum DiskSync {
    /// Appends `count` blocks of 8 KiB to a file in `directory`, each followed by
    /// `fdatasync`, and summarizes the sync times.
    static func measure(directory: String, count: Int = 500) throws -> LatencySummary {
        let path = directory + "/fdatasync-probe"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer {
            close(descriptor)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 8192)
        var milliseconds: [Double] = []
        milliseconds.reserveCapacity(count)
        for _ in 0..<count {
            guard block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == block.count else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            let start = ContinuousClock.now
            guard fdatasync(descriptor) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            milliseconds.append((ContinuousClock.now - start).secondsValue * 1000)
        }
        return LatencySummary(milliseconds: milliseconds)
    }
}
