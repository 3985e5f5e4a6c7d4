import Logging
import Synchronization

/// Collects what a logger says, for tests that check what an operator would read.
public final class LogCapture: Sendable {
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// A logger that records into this capture, at `level` and above.
    public func logger(label: String, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    /// Everything recorded so far, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    fileprivate func record(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.record(Entry(level: event.level, message: "\(event.message)"))
        }
    }
}
