import Foundation
import Synchronization

/// A separate OS process started by a test (a service executable), with its output in a
/// log file for post-mortems.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: Foundation's Process is thread safe for the calls used here (terminate,
    // isRunning, terminationStatus), which is all other tasks touch.
    private let process = Process()
    public let logPath: String

    /// Starts `executable` (a product of this package, found beside the test binary), with
    /// `environment` added to this process's.
    public convenience init(product executable: String, arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        try self.init(executable: Self.buildDirectory.appendingPathComponent(executable).path, arguments: arguments,
                      environment: environment, logPath: logPath)
    }

    /// Starts the program at `executable`, with `environment` added to this process's.
    public init(executable: String, arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        // One launch at a time: swift-corelibs-foundation's Process is not safe to launch from
        // several threads at once (tests start 50 `omnibus send` processes together).
        try Self.launching.withLock { _ in try process.run() }
    }

    private static let launching = Mutex<Void>(())

    /// The folder holding the built products: the one the running test binary is in.
    public static var buildDirectory: URL {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable)
        // On Linux the tests run from `<build>/<Package>PackageTests.xctest`.
        while url.pathComponents.count > 1 && url.lastPathComponent.hasSuffix(".xctest") == false {
            url.deleteLastPathComponent()
        }
        return url.pathComponents.count > 1 ? url.deletingLastPathComponent() : URL(fileURLWithPath: executable).deletingLastPathComponent()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal (SIGTERM, SIGKILL, …).
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// How the process ended.
    public enum Exit: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Waits (polling) for the process to end, up to `timeout`.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Exit {
        try await eventually("process \(pid) to exit", timeout: timeout) { !self.process.isRunning }
        return process.terminationReason == .uncaughtSignal ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
    }

    /// The log's text, for failure messages.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Ports already handed out in this test process, so two tests never get the same one.
private let handedOutPorts = Mutex<Set<Int>>([])

/// A TCP port on 127.0.0.1 that was free a moment ago, for a child process to bind.
///
/// Chosen below the kernel's ephemeral range (32768 and up on Linux): a port the kernel
/// handed out for binding port 0 may be given again as the source port of any outgoing
/// connection before the child binds it, which made tests fail with "address in use"
/// when many sockets were connecting at once. Ports below it are only ever used by
/// explicit binds, and this process hands each out once.
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_000)
        guard handedOutPorts.withLock({ $0.insert(port).inserted }), canBind(port) else { continue }
        return port
    }
    throw POSIXError(.EADDRINUSE)
}

private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return withLoopbackAddress(port: port) { bind(descriptor, $0, $1) == 0 }
}

/// Connects a plain TCP socket to a loopback port and writes `bytes` (raw traffic a test
/// wants to see on the wire, or a peer that speaks no protocol at all).
public func sendRawTCP(_ bytes: [UInt8], toLoopbackPort port: Int) throws {
    let descriptor = try connectedLoopbackSocket(port: port)
    defer { close(descriptor) }
    guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EPIPE) }
}

/// A TCP socket connected to a loopback port; the caller closes it.
func connectedLoopbackSocket(port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
    guard withLoopbackAddress(port: port, { connect(descriptor, $0, $1) == 0 }) else {
        close(descriptor)
        throw POSIXError(.ECONNREFUSED)
    }
    return descriptor
}

private func withLoopbackAddress(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
