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

    @Test func aNewDatabaseTakesItsServicesPageSizeAndAnExistingOneKeepsItsOwn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("paged.sqlite")
        let created = try ServiceDatabase(path: path, pageSize: 2048)
        try created.pool.write { db in try db.execute(sql: "CREATE TABLE note (body TEXT NOT NULL); INSERT INTO note VALUES ('kept')") }
        #expect(try created.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == 2048)
        try created.pool.close()

        let reopened = try ServiceDatabase(path: path, pageSize: 4096)
        let (pageSize, kept, integrity) = try reopened.pool.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "SELECT body FROM note"),
             try String.fetchOne(db, sql: "PRAGMA integrity_check"))
        }
        #expect(pageSize == 2048 && kept == "kept" && integrity == "ok")
        #expect(try ServiceDatabase(path: directory.file("default.sqlite")).pool.read { db in
            try Int.fetchOne(db, sql: "PRAGMA page_size")
        } == 4096)
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

/// The WAL buffer joins a commit's frames into a few writes, and no connection ever sees a
/// difference: what it reads is what SQLite wrote, at once.
@Suite struct WALBufferTests {
    @Test func aCommitReachesTheWALInAFewWritesNotTwoPerFrame() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("buffered.sqlite"))
        try database.pool.write { db in try db.execute(sql: "CREATE TABLE note (body TEXT NOT NULL)") }
        let before = try database.pool.write { db in WALWrites(of: db) }
        try database.pool.write { db in
            for _ in 0..<200 { try db.execute(sql: "INSERT INTO note (body) VALUES (hex(randomblob(500)))") }
        }
        let after = try database.pool.write { db in WALWrites(of: db) }
        let (requested, issued) = (after.requested - before.requested, after.issued - before.issued)
        // ~200 KiB of rows: ~55 frames, two writes each; 128 KiB per write at most.
        #expect(requested >= 100, "SQLite asked for \(requested) writes")
        #expect(issued >= 1 && issued <= 3, "\(requested) writes reached the file as \(issued)")
    }

    @Test func otherConnectionsSeeEveryCommitAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("visible.sqlite"))
        try database.pool.write { db in try db.execute(sql: "CREATE TABLE note (body TEXT NOT NULL)") }
        let outsider = try DatabaseQueue(path: directory.file("visible.sqlite"))
        for committed in 1...100 {
            try database.pool.write { db in try db.execute(sql: "INSERT INTO note (body) VALUES (hex(randomblob(3000)))") }
            let seenByPool = try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM note") }
            let seenByOutsider = try outsider.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM note") }
            #expect(seenByPool == committed && seenByOutsider == committed)
        }
        #expect(try outsider.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    /// A transaction larger than the writer's cache spills frames into the WAL before it
    /// ends; rolled back, those frames must be in the file (or nowhere) before another
    /// connection writes its own frames at the same offsets.
    @Test func aRolledBackSpillNeverOverwritesAnotherConnectionsCommit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("spilled.sqlite")
        let database = try ServiceDatabase(path: path)
        try database.pool.write { db in try db.execute(sql: "CREATE TABLE note (body TEXT NOT NULL)") }
        try database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = 2") }
        struct Abandoned: Error {}
        let before = try database.pool.write { db in WALWrites(of: db) }
        #expect(throws: Abandoned.self) {
            try database.pool.write { db in
                for _ in 0..<300 { try db.execute(sql: "INSERT INTO note (body) VALUES (hex(randomblob(1500)))") }
                throw Abandoned()
            }
        }
        let spilled = try database.pool.write { db in WALWrites(of: db) }.requested - before.requested
        #expect(spilled >= 100, "the abandoned transaction spilled \(spilled) writes into the WAL")
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.write { db in
            for _ in 0..<50 { try db.execute(sql: "INSERT INTO note (body) VALUES ('other')") }
        }
        try database.pool.write { db in try db.execute(sql: "INSERT INTO note (body) VALUES ('writer again')") }
        let (integrity, others, total) = try other.read { db in
            (try String.fetchOne(db, sql: "PRAGMA integrity_check"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM note WHERE body = 'other'"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM note"))
        }
        #expect(integrity == "ok")
        #expect(others == 50 && total == 51)
    }

    /// Only a connection that asks, after making every commit sync, is buffered; changing
    /// `synchronous` afterwards turns it off until it asks again.
    @Test func onlyAConnectionThatAsksIsBufferedAndAnyNewSyncLevelTurnsItOff() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("asked.sqlite")
        _ = try ServiceDatabase(path: path)
        let connection = try DatabaseQueue(path: path)
        func writes(_ rows: Int) throws -> (requested: Int, issued: Int) {
            try connection.writeWithoutTransaction { db in
                let before = WALWrites(of: db)
                try db.inTransaction {
                    for _ in 0..<rows { try db.execute(sql: "INSERT INTO note (body) VALUES (hex(randomblob(500)))") }
                    return .commit
                }
                let after = WALWrites(of: db)
                return (after.requested - before.requested, after.issued - before.issued)
            }
        }
        try connection.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE note (body TEXT NOT NULL)")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            #expect(try WALBuffer.enable(on: db) == false, "NORMAL publishes commits it has not synced")
        }
        let normal = try writes(50)
        #expect(normal.requested > 0 && normal.issued == normal.requested)

        try connection.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            #expect(try WALBuffer.enable(on: db))
        }
        let asked = try writes(50)
        #expect(asked.issued < asked.requested / 10, "\(asked)")

        try connection.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let changed = try writes(50)
        #expect(changed.requested > 0 && changed.issued == changed.requested, "a new level turns it off: \(changed)")
    }
}
