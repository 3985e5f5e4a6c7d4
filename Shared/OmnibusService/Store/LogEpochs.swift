import Foundation
import GRDB
import OmnibusContracts

/// The event log's epoch (``LogEpoch``): one per database from its creation, and a new one
/// each time it is restored from a backup (`omnibus restore`).
package enum LogEpochs {
    /// The log's current epoch.
    package static func current(in db: Database) throws -> LogEpoch {
        guard let row = try Row.fetchOne(db, sql: "SELECT epoch, startsAfter FROM logEpoch WHERE id = 1") else {
            throw OmnibusError(.internal, "the database has no log epoch")
        }
        return LogEpoch(id: row["epoch"], startsAfter: row["startsAfter"])
    }

    /// Starts a new epoch that goes on after `sequence` (the restored log's head).
    @discardableResult
    package static func begin(after sequence: Int64, in db: Database) throws -> LogEpoch {
        let epoch = LogEpoch(id: "epo_" + UUID().uuidString.lowercased(), startsAfter: sequence)
        try db.execute(sql: "INSERT OR REPLACE INTO logEpoch (id, epoch, startsAfter) VALUES (1, ?, ?)",
                       arguments: [epoch.id, epoch.startsAfter])
        return epoch
    }
}
