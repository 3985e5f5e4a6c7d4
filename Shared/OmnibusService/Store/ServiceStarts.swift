import GRDB
import OmnibusContracts

/// When the service process started, kept in its database so that `service.health` can say
/// how often it started lately: a crash loop shows in `omnibus status` whoever restarts it.
enum ServiceStarts {
    /// Records a start now (and forgets starts older than a day); returns its time.
    static func record(in database: ServiceDatabase) throws -> Timestamp {
        let now = Timestamp.now()
        try database.pool.write { db in
            try db.execute(sql: "INSERT INTO serviceStart (startedAt) VALUES (?)", arguments: [now.millisecondsSince1970])
            try db.execute(sql: "DELETE FROM serviceStart WHERE startedAt < ?", arguments: [now.millisecondsSince1970 - 86_400_000])
        }
        return now
    }

    /// Starts within the past hour, this one included.
    static func pastHour(in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM serviceStart WHERE startedAt >= ?",
                         arguments: [Timestamp.now().millisecondsSince1970 - 3_600_000]) ?? 0
    }
}
