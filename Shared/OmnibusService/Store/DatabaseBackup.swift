import Foundation
import GRDB
import OmnibusContracts
import Synchronization

/// `service.backup`: a consistent copy of the service's database, made with SQLite's online
/// backup API from a reader of the pool (one read transaction, so the copy is the database
/// as of one commit) while the service goes on. It runs on a thread of its own and answers
/// through ``DeferredReplies``: commands are not held up for the seconds a large copy takes.
/// The copy starts a new log epoch after its head, so subscribers of a service restored from
/// it see the restore (``SourceStream/noteEpoch(_:)``).
enum DatabaseBackup {
    static func register(in registry: inout CommandRegistry, store: EventStore, deferred: DeferredReplies) {
        // A client resends a request it has no reply to yet: the copy under way answers it too.
        let running = Mutex<Set<String>>([])
        registry.registerDeferred(BackupDatabase.self) { input, context in
            let key = "backup:\(context.requestId)"
            guard running.withLock({ !$0.contains(key) }) else { return .pending(key: key) }
            let destination = try destination(of: input.folder, service: store.source)
            try create(destination)
            running.withLock { _ = $0.insert(key) }
            let requestId = context.requestId
            Thread.detachNewThread {
                defer { running.withLock { _ = $0.remove(key) } }
                let reply: Data
                do {
                    let report = try copy(store: store, to: destination)
                    reply = try ContractCoding.encode(CommandReply(requestId: requestId, data: report))
                } catch {
                    // No half copy left behind to be taken for a backup, or to block the next try.
                    try? FileManager.default.removeItem(atPath: destination)
                    let refusal = error as? OmnibusError ?? OmnibusError(.unavailable, "the backup failed: \(error)")
                    reply = (try? ContractCoding.encode(CommandReply<BackupReport>(requestId: requestId, error: refusal))) ?? Data()
                }
                deferred.complete(key, reply: reply)
            }
            return .pending(key: key)
        }
    }

    /// `<folder>/<service>.sqlite`, in an absolute folder (``create(_:)`` refuses an existing file).
    static func destination(of folder: String, service: String) throws -> String {
        guard folder.hasPrefix("/"), !folder.contains("\0") else {
            throw OmnibusError(.invalidArgument, "folder must be an absolute path on the service's machine")
        }
        return URL(fileURLWithPath: folder).appendingPathComponent("\(service).sqlite").path
    }

    /// Creates the copy's file, readable by the service's user alone (it holds every
    /// customer's data), failing if it exists: two backups never write one file.
    static func create(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw OmnibusError(.invalidArgument, "cannot create the backup folder: \(error.localizedDescription)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw OmnibusError(errno == EEXIST ? .conflict : .invalidArgument,
                               "cannot create \(path): \(String(cString: strerror(errno))); a backup never overwrites a file")
        }
        close(descriptor)
    }

    static func copy(store: EventStore, to path: String) throws -> BackupReport {
        let takenAt = Timestamp.now()
        let copy = try DatabaseQueue(path: path)
        try store.database.pool.backup(to: copy)
        // The copy is a fork of the log: whatever runs from it hands out numbers after its head
        // that the running log may give to other events, so it starts an epoch of its own.
        let (head, epoch) = try copy.write { db in
            let head = try Outbox.head(in: db)
            return (head, try LogEpochs.begin(after: head, in: db))
        }
        try copy.close()
        return BackupReport(service: store.source, file: path, head: head, epoch: epoch, bytes: DiskGuard.size(path), takenAt: takenAt)
    }
}
