import Foundation
import OmnibusBus
import OmnibusService
import OmnibusTestSupport
import Testing

@Suite("WAL checkpoints happen in the background", .timeLimit(.minutes(2)))
struct CheckpointTests {
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test func committedDataReachesTheDatabaseFileAndTheWALStaysSmall() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context) { $0.walTruncateAboveBytes = 4 << 20 }
        let database = directory.file("alpha.sqlite")
        let round = 2_000  // events of about 1 KiB: ~2 MiB a round
        for index in 1...10 {
            try Fixture.append(round, to: producer, text: String(repeating: "w", count: 1000))
            // Commits no longer checkpoint (wal_autocheckpoint=0): only the background
            // checkpointer can move these pages into the database file.
            try await eventually("round \(index) checkpointed into the database file") {
                Self.size(database) >= index * round * 1000
            }
        }
        // 20 MiB went through the WAL; past 4 MiB the checkpointer empties it.
        try await eventually("the WAL is emptied once past its limit") { Self.size(database + "-wal") < 4 << 20 }
        try await producer.stop()
    }
}
