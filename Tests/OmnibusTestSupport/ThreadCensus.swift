import Foundation

/// The names of this process's threads (Linux: `/proc/self/task/*/comm`, at most 15
/// characters each): how a test sees that a socket loop's thread is really gone.
public enum ThreadCensus {
    public static func count(named prefix: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return name.hasPrefix(String(prefix.prefix(15)))
        }.count
    }
}

/// This machine's TCP connections as the kernel lists them (Linux: `/proc/net/tcp`): how a
/// test sees that a client's sockets are really closed.
public enum TCPConnections {
    /// Established IPv4 connections whose far end is `port` (the client sides of
    /// connections to a server listening there).
    public static func established(toPort port: Int) -> Int {
        // procfs files claim size 0, so read to the end rather than by the announced size.
        let bytes = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() ?? Data()
        let table = String(decoding: bytes, as: UTF8.self)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            // sl, local_address, rem_address (HEXIP:HEXPORT), st (01 = ESTABLISHED), …
            guard fields.count > 3, let remotePort = fields[2].split(separator: ":").last else { return false }
            return Int(remotePort, radix: 16) == port && fields[3] == "01"
        }.count
    }
}
