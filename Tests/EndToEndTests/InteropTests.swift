import Foundation
import OmnibusTestSupport
import Testing

@Suite("A Python client speaks the documented protocol", .timeLimit(.minutes(2)))
struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop/protocol_client.py").path

    @Test func pyzmqClientSubscribesReplaysAndSendsCommands() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = try ProbeCluster(directory: directory)
        let producer = try cluster.startProducer(["--generate", "25", "--batch", "10"])
        try await eventually("25 events committed") { cluster.produced().count == 25 }

        let client = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: ["python3", Self.script, "--source", "probe", "--events", cluster.producer.events,
                        "--replay", cluster.producer.replay, "--commands", cluster.producer.commands, "--expect", "25"],
            logPath: directory.file("python.log"))
        let exit = try await client.waitForExit(timeout: .seconds(60))
        #expect(exit == .exited(0), "\(client.log)\n(pyzmq missing? run deploy/install-dependencies.sh)")
        #expect(client.log.contains("checks passed"))
        producer.send(SIGTERM)
        #expect(try await producer.waitForExit() == .exited(0))
    }
}
