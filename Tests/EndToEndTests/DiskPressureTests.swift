import Foundation
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// A service whose data folder is a small tmpfs (mounted by the test: it runs as root, as CI
/// does) refuses writes with `unavailable` once free space drops below its floor, still
/// answers queries and replay, takes writes again when space returns, and loses nothing it
/// acknowledged.
@Suite("Disk pressure on a small filesystem", .serialized, .timeLimit(.minutes(3)))
struct DiskPressureTests {
    @Test func writesAreRefusedBelowTheFloorReadsGoOnAndNothingAcknowledgedIsLost() async throws {
        try await ServiceProcesses.with(["identity"]) { processes in
            let data = processes.directory.file("data")
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", data])
            defer { try? Self.run("/bin/umount", ["-l", data]) }
            try processes.start("identity", arguments: ["--min-free-mb", "4"])
            let identity = processes.sender("identity")
            let kept = try await identity.call(ResolveIdentifier(identifier: IdentifierInput(.email, "kept@example.com"), createIfUnknown: true))

            // Something else fills the disk to 2 MiB free: below the 4 MiB floor.
            let filler = data + "/filler"
            let free = try Self.freeBytes(data)
            try Data(count: Int(free - (2 << 20))).write(to: URL(fileURLWithPath: filler))
            try await eventually("identity reports writes refused") { try await identity.health().storage?.writesRefused == true }
            let refused = try await identity.send(ResolveIdentifier(identifier: IdentifierInput(.email, "late@example.com"), createIfUnknown: true))
            #expect(refused.error?.code == .unavailable && refused.error?.message.contains("disk is nearly full") == true, "\(refused)")
            _ = try await identity.send(ResolveIdentifier(identifier: IdentifierInput(.email, "later@example.com"), createIfUnknown: true))
            let log = try processes.log(of: "identity")
            #expect(log.components(separatedBy: "disk nearly full").count - 1 == 1, "said once, not per command:\n\(log)")
            #expect(try await identity.call(GetProfile(customerId: kept.customerId)).customerId == kept.customerId, "queries go on")
            var options = BusEvents.Options()
            options.untilCaughtUp = true
            var replayed = 0
            for try await item in BusEvents(sources: [try processes.configuration.subscriptionSource(of: "identity")],
                                            context: processes.context, logger: .init(label: "test.disk"), options: options) {
                if case .event = item { replayed += 1 }
            }
            #expect(replayed == Int(try await identity.health().head), "replay goes on")
            let status = try await OpsToolTests.omnibus(["status", "--config", processes.configPath], in: processes.directory)
            #expect(status.output.contains("WRITES REFUSED"), "\(status.output)")

            // Space returns: the same request, retried with its id, is applied.
            try FileManager.default.removeItem(atPath: filler)
            let late = ResolveIdentifier(identifier: IdentifierInput(.email, "late@example.com"), createIfUnknown: true)
            try await eventually("writes taken again") { try await identity.send(late, id: refused.requestId).ok }

            // Nothing acknowledged was lost, across a restart too.
            try await processes.stop("identity")
            try processes.start("identity", arguments: ["--min-free-mb", "4"])
            #expect(try await identity.call(GetProfile(customerId: kept.customerId)).customerId == kept.customerId)
            let again = try await identity.call(ResolveIdentifier(identifier: IdentifierInput(.email, "late@example.com")))
            #expect(!again.created)
            try await processes.stop("identity")
        }
    }

    static func freeBytes(_ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: path)
        return try #require(attributes[.systemFreeSize] as? NSNumber).int64Value
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed (this test mounts a tmpfs and needs root)")
        }
    }
}
