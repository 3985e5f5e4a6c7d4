import ArgumentParser
import Foundation
import GRDB
import OmnibusContracts

/// `omnibus restore FOLDER --data DATA`: puts a backup's databases in place for the services
/// to start from (they must be stopped). With `--previous`, it reports what the data being
/// replaced holds that the backup does not: commands acknowledged and events sent after it.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup made by `omnibus backup` in place as the suite's data (the services stopped).",
        discussion: """
            Copies FOLDER/<service>.sqlite to DATA/<service>.sqlite for every service in FOLDER/backup.json, refusing \
            to overwrite a database. A restored service goes on after the backup's last event in a new log epoch, \
            so its subscribers notice the restore and replay from there. With --previous OLD_DATA (the data the \
            backup replaces, if it is still there), it lists per service the commands acknowledged and the events \
            sent after the backup — lost by the restore, so reported — and writes them to DATA/restore-report.json.
            """)

    @Argument(help: "A folder written by `omnibus backup`.")
    var folder: String

    @Option(help: "The data folder to restore into (it must not hold the services' databases yet).")
    var data: String

    @Option(help: "The data folder the backup replaces, to report what it held beyond the backup.")
    var previous: String?

    func run() async throws {
        let manifestPath = URL(fileURLWithPath: folder).appendingPathComponent(BackupManifest.fileName).path
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw ValidationError("no \(BackupManifest.fileName) in \(folder): not a folder `omnibus backup` wrote")
        }
        let manifest = try ContractCoding.decode(BackupManifest.self, from: manifestData)
        for name in manifest.services.keys {
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: "\(data)/\(name).sqlite\(suffix)") {
                throw ValidationError("\(data)/\(name).sqlite\(suffix) exists: restore into a data folder without the services' databases")
            }
        }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var report: [String: RestoreReport.Service] = [:]
        for (name, backup) in manifest.services.sorted(by: { $0.key < $1.key }) {
            let copy = URL(fileURLWithPath: folder).appendingPathComponent("\(name).sqlite").path
            try FileManager.default.copyItem(atPath: copy, toPath: "\(data)/\(name).sqlite")
            let epoch = try Self.beginEpoch(at: "\(data)/\(name).sqlite")
            var line = "\(name): restored, events through \(backup.head), new log epoch \(epoch)"
            if let previous, FileManager.default.fileExists(atPath: "\(previous)/\(name).sqlite") {
                let lost = try RestoreReport.Service.compare(previous: "\(previous)/\(name).sqlite", backup: copy, backupHead: backup.head)
                report[name] = lost
                line += "; not in the backup: \(lost.commandsAfterBackup.count) acknowledged commands"
                    + (lost.previousHead > backup.head ? ", events \(backup.head + 1)…\(lost.previousHead)" : ", no events")
            }
            print(line)
        }
        if previous != nil {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let path = URL(fileURLWithPath: data).appendingPathComponent("restore-report.json")
            try encoder.encode(RestoreReport(services: report)).write(to: path)
            print("what the restore loses: \(path.path)")
        }
    }
}

extension Restore {
    /// Starts a new log epoch in a restored database, after its last event: each restore is a
    /// new life of the log, even of a backup restored before (the copy's own epoch would then
    /// come back, and subscribers that saw it would not notice). The tool does not link the
    /// service runtime, so this writes its `logEpoch` row as `LogEpochs.begin` does.
    static func beginEpoch(at path: String) throws -> String {
        let id = "epo_" + UUID().uuidString.lowercased()
        try DatabaseQueue(path: path).write { db in
            let head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0
            try db.execute(sql: "INSERT OR REPLACE INTO logEpoch (id, epoch, startsAfter) VALUES (1, ?, ?)", arguments: [id, head])
        }
        return id
    }
}

/// `restore-report.json`: per service, what the replaced data held beyond the backup.
struct RestoreReport: Codable {
    struct Service: Codable {
        var backupHead: Int64
        var previousHead: Int64
        /// Commands whose replies the replaced data stored and the backup does not hold.
        var commandsAfterBackup: [Command]

        struct Command: Codable {
            var requestId: String
            var command: String
            var acknowledgedAt: Timestamp
        }

        /// Reads both databases (read-only) and lists what only `previous` has.
        static func compare(previous: String, backup: String, backupHead: Int64) throws -> Service {
            var readOnly = Configuration()
            readOnly.readonly = true
            let inBackup = try DatabaseQueue(path: backup, configuration: readOnly).read { db in
                Set(try String.fetchAll(db, sql: "SELECT requestId FROM commandReply"))
            }
            return try DatabaseQueue(path: previous, configuration: readOnly).read { db in
                let head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM outbox") ?? 0
                let commands = try Row.fetchAll(db, sql: "SELECT requestId, command, recordedAt FROM commandReply ORDER BY recordedAt")
                    .filter { !inBackup.contains($0["requestId"]) }
                    .map { Command(requestId: $0["requestId"], command: $0["command"],
                                   acknowledgedAt: Timestamp(millisecondsSince1970: $0["recordedAt"])) }
                return Service(backupHead: backupHead, previousHead: head, commandsAfterBackup: commands)
            }
        }
    }

    var services: [String: Service]
}
