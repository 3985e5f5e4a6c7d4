import Foundation

/// One service process under `omnibus up`: started, watched, restarted with backoff.
/// Used only from the supervisor's task, hence not `Sendable`.
final class ManagedService {
    let name: String
    let executable: String
    let arguments: [String]
    let logPath: String
    /// How the supervisor tells the process is up.
    let probe: Probe
    private(set) var process: Process?
    /// When the next start is due after a crash; nil when none is pending.
    var restartAt: ContinuousClock.Instant?
    /// The wait before the next restart: the initial one after a service that had answered
    /// its health check dies; doubled for each death before that answer (a crash at start),
    /// up to the maximum.
    var backoff: Duration = ManagedService.initialBackoff
    /// True from a (re)start until the health check first answers.
    var awaitingHealth = false

    static let initialBackoff: Duration = .milliseconds(500)
    static let maximumBackoff: Duration = .seconds(30)

    /// A service answers `service.health` on its command endpoint; the gateway accepts TCP connections.
    enum Probe {
        case health(commands: String)
        case listening(host: String, port: Int)
    }

    init(name: String, executable: String, arguments: [String], logPath: String, probe: Probe) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
        self.probe = probe
    }

    var isRunning: Bool { process?.isRunning ?? false }
    var pid: Int32? { process.map(\.processIdentifier) }

    /// Starts the process with its output appended to its log file.
    func start() throws {
        if !FileManager.default.fileExists(atPath: logPath) && !FileManager.default.createFile(atPath: logPath, contents: nil) {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: logPath])
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The child has its own descriptor now; keeping ours would leak one per restart.
        try log.close()
        self.process = process
        awaitingHealth = true
    }

    /// How the last run ended, for the report.
    var exitDescription: String {
        guard let process, !process.isRunning else { return "running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
    }

    func signal(_ signal: Int32) {
        if let process, process.isRunning { kill(process.processIdentifier, signal) }
    }
}
