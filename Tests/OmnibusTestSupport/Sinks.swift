import Foundation

/// A real receiver run by a test as its own process — an SMTP server (aiosmtpd) or an HTTP
/// endpoint — from Tests/Fixtures, recording what it received as JSON lines.
public final class Sink: Sendable {
    public let process: ChildProcess
    public let port: Int
    private let recordPath: String

    /// The fixtures' folder.
    public static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// An SMTP server on 127.0.0.1 (STARTTLS offered with `certificate` and `key` when given).
    public static func smtp(in directory: TemporaryDirectory, name: String = "smtp", starttls: (certificate: String, key: String)? = nil,
                            reject: [String] = []) async throws -> Sink {
        let tls = starttls.map { ["--starttls", $0.certificate, $0.key] } ?? []
        return try await Sink(python: systemPython, script: "smtp_sink.py", in: directory, name: name,
                              arguments: tls + reject.flatMap { ["--reject", $0] })
    }

    /// An HTTP endpoint on 127.0.0.1 answering each delivery id's requests with `statuses` in
    /// turn; with `secret`, it checks each request's signature itself (`signature_valid`).
    public static func http(in directory: TemporaryDirectory, name: String = "http", statuses: [Int] = [200],
                            secret: String? = nil) async throws -> Sink {
        try await Sink(python: "python3", script: "http_sink.py", in: directory, name: name,
                       arguments: ["--statuses", statuses.map(String.init).joined(separator: ",")] + (secret.map { ["--secret", $0] } ?? []))
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1: (certificate, key) paths.
    public static func makeCertificate(in directory: TemporaryDirectory) throws -> (certificate: String, key: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemPython)
        process.arguments = [fixtures + "/smtp_sink.py", "--make-cert", directory.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("making a certificate failed") }
        return (directory.file("cert.pem"), directory.file("key.pem"))
    }

    /// Debian's python3, which has python3-aiosmtpd (the first python3 on PATH may be another).
    static let systemPython = "/usr/bin/python3"

    private init(python: String, script: String, in directory: TemporaryDirectory, name: String, arguments: [String]) async throws {
        recordPath = directory.file("\(name).jsonl")
        let portFile = directory.file("\(name).port")
        let executable = python.hasPrefix("/") ? python : "/usr/bin/env"
        process = try ChildProcess(
            executable: executable, arguments: (python.hasPrefix("/") ? [] : [python]) + [Self.fixtures + "/" + script,
                                                "--record", recordPath, "--port-file", portFile] + arguments,
            logPath: directory.file("\(name).log"))
        try await eventually("\(script) to listen") { [process] in
            guard process.isRunning else { throw TestFailure("\(script) exited: \(process.log)") }
            return FileManager.default.fileExists(atPath: portFile)
        }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8),
              let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw TestFailure("\(script) wrote no port") }
        self.port = port
    }

    /// Everything received so far, oldest first.
    public func received() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw TestFailure("not an object: \(line)") }
            return object
        }
    }

    /// Kills the receiver: what it recorded is on disk already (one flushed line per message).
    public func stop() async throws {
        process.send(SIGKILL)
        _ = try await process.waitForExit()
    }
}
