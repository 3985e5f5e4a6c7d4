import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// `omnibus backup FOLDER`: every service writes a consistent copy of its database into the
/// folder while it runs (`service.backup`), and the tool records what each copy holds in
/// `FOLDER/backup.json`.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up every service's database, while the suite runs, into a new folder.",
        discussion: """
            Each service copies its own database with SQLite's online backup (one consistent read; commands go on), \
            so FOLDER must be reachable by the services at the same path (the suite's machine). The copies start a \
            new log epoch: subscribers of a service restored from them notice the restore. Restore with \
            `omnibus restore FOLDER --data DATA`. Exits 1 when any service did not back up.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Argument(help: "A folder that does not exist yet, or an empty one.")
    var folder: String

    @Option(help: "Milliseconds to wait for each service's copy.")
    var timeout = 600_000

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        let context = try principal.busContext(for: configuration)
        let folder = URL(fileURLWithPath: folder).standardizedFileURL.path
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard existing.isEmpty else { throw ValidationError("\(folder) is not empty; a backup goes into a new folder") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var reports: [String: BackupReport] = [:]
        var failed = false
        for name in configuration.services.keys.sorted() {
            let request = CommandRequest(id: RequestId.random(), command: BackupDatabase.name, data: BackupDatabase(folder: folder))
            do {
                let report = try await CommandClient.send(
                    request, to: try configuration.endpoints(of: name).commands, context: context, timeout: .milliseconds(timeout),
                    expecting: BackupReport.self).get()
                reports[name] = report
                print("\(name): \(report.file), \(report.bytes / 1024) KiB, events through \(report.head)")
            } catch {
                failed = true
                print("\(name): NOT BACKED UP: \(error)")
            }
        }
        let manifest = BackupManifest(services: reports)
        try ContractCoding.encode(manifest).write(to: URL(fileURLWithPath: folder).appendingPathComponent(BackupManifest.fileName))
        if failed { throw ExitCode(1) }
    }
}

/// `backup.json`: what each service's copy in a backup folder holds.
struct BackupManifest: Codable {
    static let fileName = "backup.json"
    var services: [String: BackupReport]
}
