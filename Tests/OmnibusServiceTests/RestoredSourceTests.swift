import Foundation
import GRDB
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// A producer replaced by one restored from its backup, on the same endpoints, while its
/// consumer keeps running: the restored log hands out sequence numbers the consumer has seen.
@Suite("A source restored from a backup")
struct RestoredSourceTests {
    @Test("the consumer goes back to the backup's head and applies every event of the restored log, each once")
    func consumerFollowsTheRestoredLog() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let ports = try (0..<3).map { _ in try freeLoopbackPort() }
        let endpoints = ServiceEndpoints(events: "tcp://127.0.0.1:\(ports[0])", replay: "tcp://127.0.0.1:\(ports[1])",
                                         commands: "tcp://127.0.0.1:\(ports[2])")
        func producer(at path: String) async throws -> RunningRuntime {
            try await RunningRuntime.start(ServiceRuntime.Configuration(name: "alpha", databasePath: path, endpoints: endpoints), context: context)
        }
        let original = try await producer(at: directory.file("alpha.sqlite"))
        let consumer = try await Fixture.consumer(in: directory, context: context, sources: [original.asSource])
        try await scoped(consumer, stop: { try await $0.stop() }) { consumer in
            try Fixture.append(5, to: original)
            let backup = try await CommandSender(endpoint: endpoints.commands, context: context, timeoutMilliseconds: 30_000)
                .call(BackupDatabase(folder: directory.file("backup")), channel: nil)
            #expect(backup.head == 5)
            try Fixture.append(5, to: original)
            try await eventually("the consumer applied the original log through 10") { try Self.applied(consumer) == 10 }
            try await original.stop()

            let restoredPath = directory.file("restored.sqlite")
            try FileManager.default.copyItem(atPath: backup.file, toPath: restoredPath)
            let restored = try await producer(at: restoredPath)
            try await scoped(restored, stop: { try await $0.stop() }) { restored in
                try Fixture.append(7, to: restored)  // 6…12 again, other events
                let newIds = try Fixture.outbox(restored).filter { Int64($0[0])! > 5 }.map { $0[1] }
                try await eventually("the consumer applied the restored log through 12") { try Self.applied(consumer) == 12 }
                let applied = try Fixture.appliedNotes(consumer)
                for id in newIds {
                    #expect(applied.filter { $0[1] == id }.count == 1, "event \(id) of the restored log applied once")
                }
                #expect(applied.count == 10 + 7, "the original ten, then the restored log's seven")
            }
        }
    }

    static func applied(_ consumer: RunningRuntime) throws -> Int64? {
        try consumer.runtime.store.database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT appliedThrough FROM inboxOffset WHERE source = 'alpha'")
        }
    }
}

/// `service.backup` refuses what it must not do, with the protocol's codes.
@Suite("service.backup: bad requests")
struct BackupRequestTests {
    @Test("a relative folder → invalid_argument; a second backup into the same folder → conflict; the copy is the service user's alone")
    func refusals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            try Fixture.append(3, to: producer)
            let sender = CommandSender(endpoint: producer.endpoints.commands, context: context, timeoutMilliseconds: 30_000)
            #expect(try await sender.send(BackupDatabase(folder: "backups/today"), channel: nil).error?.code == .invalidArgument)
            let folder = directory.file("backups")
            let first = try await sender.call(BackupDatabase(folder: folder), channel: nil)
            #expect(first.head == 3)
            let mode = try FileManager.default.attributesOfItem(atPath: first.file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "the copy holds every customer's data")
            #expect(try await sender.send(BackupDatabase(folder: folder), channel: nil).error?.code == .conflict,
                    "a backup never overwrites one")
            #expect(try FileManager.default.attributesOfItem(atPath: first.file)[.size] as? Int64 == first.bytes, "the first copy is untouched")
        }
    }
}
