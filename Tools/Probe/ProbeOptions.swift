import ArgumentParser
import Logging
import OmnibusCommandLine
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService

/// Options every probe role shares: its name, database and endpoints.
struct ProbeServiceOptions: ParsableArguments {
    @Option(help: "Service (event source) name.")
    var name: String

    @Option(help: "Path of the SQLite database file.")
    var database: String

    @Option(help: "PUB endpoint to bind for this service's events.")
    var events = "tcp://127.0.0.1:*"

    @Option(help: "ROUTER endpoint to bind for replay.")
    var replay = "tcp://127.0.0.1:*"

    @Option(help: "ROUTER endpoint to bind for commands.")
    var commands = "tcp://127.0.0.1:*"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    var endpoints: ServiceEndpoints { ServiceEndpoints(events: events, replay: replay, commands: commands) }

    func bootstrapLogging() -> Logger {
        LoggingSystem.bootstrap { label in SafeLogHandler.standardError(label: label, level: logLevel) }
        return Logger(label: "omnibus.\(name)")
    }
}


/// The probe's one command and one event type.
enum ProbeContract {
    /// `probe.recorded`; a producer's source is its `--name`, `probe` by default.
    struct Recorded: EventContract {
        static let source = "probe"
        static let type = "probe.recorded"
        var index: Int
        var payload: String
    }

    /// `probe.record`: emits one ``Recorded`` with `payload`.
    struct Record: CommandContract {
        typealias Reply = RecordReply
        static let name = "probe.record"
        var payload: String
    }

    struct RecordReply: Codable, Sendable {
        var sequence: Int64
    }
}
