import Foundation
import GRDB
import OmnibusTestSupport

/// Endpoints for one probe process, on ports free on this machine.
struct ProbeEndpoints {
    let events: String
    let replay: String
    let commands: String

    init() throws {
        events = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        replay = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        commands = "tcp://127.0.0.1:\(try freeLoopbackPort())"
    }

    var arguments: [String] { ["--events", events, "--replay", replay, "--commands", commands] }
}

/// Starts `omnibus-probe` roles as separate processes and reads their SQLite files.
struct ProbeCluster {
    let directory: TemporaryDirectory
    let producer: ProbeEndpoints
    let consumer: ProbeEndpoints

    init(directory: TemporaryDirectory) throws {
        self.directory = directory
        producer = try ProbeEndpoints()
        consumer = try ProbeEndpoints()
    }

    var producerDatabase: String { directory.file("producer.sqlite") }
    var consumerDatabase: String { directory.file("consumer.sqlite") }

    func startProducer(_ extra: [String] = [], log: String = "producer.log") throws -> ChildProcess {
        try ChildProcess(
            product: "omnibus-probe",
            arguments: ["produce", "--name", "probe", "--database", producerDatabase] + producer.arguments + extra,
            logPath: directory.file(log))
    }

    func startConsumer(log: String = "consumer.log") throws -> ChildProcess {
        try ChildProcess(
            product: "omnibus-probe",
            arguments: ["consume", "--name", "sink", "--database", consumerDatabase, "--source",
                        "probe=\(producer.events),\(producer.replay)"] + consumer.arguments,
            logPath: directory.file(log))
    }

    /// Runs `query` on a read-only connection to a probe's database, or returns nil if the
    /// file or its tables are not there yet.
    func read<T>(_ path: String, _ query: (Database) throws -> T) -> T? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? queue.read(query)
    }

    func receivedCount() -> Int {
        read(consumerDatabase) { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM receivedEvent") ?? 0 } ?? 0
    }

    /// (sequence, eventId, envelope) rows, as applied by the consumer and as logged by the producer.
    func received() -> [Row] {
        read(consumerDatabase) { try Row.fetchAll($0, sql: "SELECT sequence, eventId, envelope FROM receivedEvent ORDER BY sequence, rowid") } ?? []
    }

    func produced() -> [Row] {
        read(producerDatabase) { try Row.fetchAll($0, sql: "SELECT sequence, eventId, envelope FROM outbox ORDER BY sequence") } ?? []
    }
}
