import Foundation
import OmnibusBus

/// A condition that did not become true before its deadline.
/// A test's own failure with a sentence that says what went wrong (a fixture that exited,
/// an answer that never came).
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Polls `condition` every few milliseconds until it holds, failing after `timeout`.
/// Tests wait for what they expect instead of sleeping for a guessed time.
public func eventually(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(description: "timed out after \(timeout) waiting for: \(what())")
}

/// A fresh directory under the system's temporary folder, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "omnibus-test-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs blocking socket code on a thread of its own, so tests never tie up one of the few
/// cooperative threads while they wait on libzmq.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await DedicatedThread.run(name: "test-blocking", stop: StopSignal(), body)
}
