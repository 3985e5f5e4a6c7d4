import GRDB
import OmnibusService
import OmnibusTestSupport
import Testing

/// The durability the README promises is the one the writer connection really has.
@Suite struct ServiceDatabaseTests {
    @Test func theWriterSyncsEveryCommitAndLeavesCheckpointsToTheBackground() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("durable.sqlite"))
        let settings = try database.pool.write { db in
            (journal: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             autocheckpoint: try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"),
             secureDelete: try Int.fetchOne(db, sql: "PRAGMA secure_delete"),
             cacheSize: try Int.fetchOne(db, sql: "PRAGMA cache_size"))
        }
        #expect(settings.journal == "wal")
        #expect(settings.synchronous == 2, "FULL: each commit syncs the WAL (GRDB's pool default is NORMAL)")
        #expect(settings.autocheckpoint == 0)
        #expect(settings.secureDelete == 1)
        #expect(settings.cacheSize == -32 * 1024, "the writer keeps 32 MiB of pages, not SQLite's 2 MiB")
    }

    @Test func erasureFindsACustomersEventsThroughThePartialIndex() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("indexed.sqlite"))
        let plan = try database.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT sequence, envelope FROM outbox WHERE customerId IN ('a', 'b')")
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("USING INDEX outbox_on_customerId"), "plan: \(plan)")
    }
}
