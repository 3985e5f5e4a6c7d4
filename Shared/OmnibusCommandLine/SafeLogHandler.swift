import Logging
import OmnibusWire

/// Wraps a log handler so that nothing a client sent can forge or flood a log line: every
/// message and metadata value has its control characters escaped (`\n` → `\\n`, ESC →
/// `\\u{1B}`) and is cut to ``maxValueBytes`` of UTF-8, so each record stays one line that
/// starts with the handler's own prefix (time, level, label).
public struct SafeLogHandler: LogHandler {
    /// The longest message or metadata value kept, in bytes; the rest is replaced by a count.
    public static let maxValueBytes = 512

    private var inner: any LogHandler

    public init(wrapping inner: any LogHandler) { self.inner = inner }

    /// Sends logs to standard error at `level`, made safe; what services and the gateway bootstrap.
    public static func standardError(label: String, level: Logger.Level) -> SafeLogHandler {
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return SafeLogHandler(wrapping: handler)
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = Logger.Message(stringLiteral: Self.escape(event.message.description))
        safe.metadata = event.metadata.map(Self.escape)
        inner.log(event: safe)
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.escape) }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.escape(newValue) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    static func escape(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(escape)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(escape(text))
        case .stringConvertible(let convertible): .string(escape(convertible.description))
        case .array(let values): .array(values.map(escape))
        case .dictionary(let values): .dictionary(escape(values))
        }
    }

    static func escape(_ text: String) -> String { SafeText.escaped(text, maxBytes: maxValueBytes) }
}
