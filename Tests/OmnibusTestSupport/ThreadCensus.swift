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
