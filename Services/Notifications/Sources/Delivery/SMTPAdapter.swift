import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how e-mail is handed over: one SMTP server (a relay or the provider's submission
/// endpoint), the sender address, and whether the conversation is upgraded to TLS.
public struct SMTPConfiguration: Sendable {
    /// Whether the conversation is upgraded to TLS with STARTTLS (RFC 3207).
    public enum TLSMode: String, Sendable {
        /// Plain text throughout, even if the server offers STARTTLS.
        case off
        /// STARTTLS when the server's EHLO offers it, plain text otherwise.
        case opportunistic
        /// STARTTLS or no delivery: a server that does not offer it fails the try (transient).
        case required
    }

    public var host: String
    public var port: Int
    /// The envelope sender (MAIL FROM) and the `From:` header: a bare `local@domain`.
    public var from: String
    public var tls: TLSMode
    /// A PEM file of CA certificates trusted instead of the system's (a private CA, or the
    /// tests' self-signed certificate). Certificates are still verified against it, host names are not.
    public var trustRootsFile: String?
    /// The name this client gives itself in EHLO.
    public var heloName: String
    /// The whole delivery, connect to QUIT.
    public var timeout: Duration

    public init(host: String, port: Int = 25, from: String, tls: TLSMode = .opportunistic, trustRootsFile: String? = nil,
                heloName: String = "omnibus.local", timeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.from = from
        self.tls = tls
        self.trustRootsFile = trustRootsFile
        self.heloName = heloName
        self.timeout = timeout
    }

    /// Whether `from` is a bare `local@domain` that cannot break the SMTP command or header it goes into.
    public var hasValidSender: Bool { SMTPAdapter.isPlausibleAddress(from) }

    /// `smtp://host[:port][?from=sender@example.com&tls=off|opportunistic|required]`; the port is 25
    /// unless given. Nil for anything else.
    public static func parse(_ url: String, from: String = "notifications@omnibus.local") -> SMTPConfiguration? {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "smtp",
              var host = components.host, !host.isEmpty else { return nil }
        // An IPv6 literal may come back in its URL brackets.
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let query = components.queryItems ?? []
        var configuration = SMTPConfiguration(host: host, port: components.port ?? 25, from: from)
        if let sender = query.first(where: { $0.name == "from" })?.value { configuration.from = sender }
        if let mode = query.first(where: { $0.name == "tls" })?.value {
            guard let tls = TLSMode(rawValue: mode) else { return nil }
            configuration.tls = tls
        }
        return configuration
    }

    /// `host:port`, as failures name the server.
    var endpoint: String { "\(host):\(port)" }
}

/// E-mail over SMTP: one connection per delivery, which runs an ``SMTPSession`` and closes.
/// (Pooling connections across deliveries is a later optimisation; one per delivery is simple
/// and never reuses a connection a server has half given up on.)
final class SMTPAdapter: DeliveryAdapter {
    private let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    /// Made once (loading the trust roots is not free); nil when TLS is off. A failure (say, a
    /// missing CA file) is kept and reported by every delivery, rather than crashing at start.
    private let tlsContext: Result<NIOSSLContext, any Error>?

    init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        if configuration.tls == .off {
            self.tlsContext = nil
        } else {
            self.tlsContext = Result<NIOSSLContext, any Error> { try SMTPAdapter.makeTLSContext(for: configuration) }
        }
    }

    func deliver(_ delivery: OutgoingDelivery) async throws {
        guard let address = delivery.address, !address.isEmpty else {
            throw DeliveryError.permanent("e-mail \(delivery.deliveryId) has no address")
        }
        guard Self.isPlausibleAddress(address) else {
            throw DeliveryError.permanent("e-mail \(delivery.deliveryId): \"\(address)\" is not an e-mail address")
        }
        let configuration = self.configuration
        let tlsContext: NIOSSLContext?
        switch self.tlsContext {
        case nil: tlsContext = nil
        case .success(let context)?: tlsContext = context
        case .failure(let error)?:
            let roots = configuration.trustRootsFile ?? "system trust roots"
            throw DeliveryError.transient("smtp \(configuration.endpoint): cannot set up TLS (\(roots)): \(error)")
        }
        let message = Self.message(for: delivery, from: configuration.from, date: Date())
        let deadline = ContinuousClock.now + configuration.timeout

        let connection = try await connect()
        // Closing the channel at the deadline fails whichever read or write is pending, so the
        // conversation cannot outlive the timeout whatever the server does (or does not) send.
        let channel = connection.channel
        let remaining = max(ContinuousClock.now.duration(to: deadline), .zero)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(remaining)) { channel.close(promise: nil) }
        defer { timer.cancel() }

        // executeThenClose closes the channel however the conversation ends.
        try await connection.executeThenClose { inbound, outbound in
            var session = SMTPSession(configuration: configuration, channel: channel, inbound: inbound, outbound: outbound, deadline: deadline)
            try await session.deliver(message, to: address, tlsContext: tlsContext)
        }
        logger.debug("e-mail accepted", metadata: [
            "delivery": "\(delivery.deliveryId)", "smtp": "\(configuration.endpoint)", "attempt": "\(delivery.attempt)",
        ])
    }

    /// Nothing to release: connections live for one delivery, and the event loop group is
    /// shared (the process-wide singleton by default), so it is its owner's to shut down.
    func shutdown() async throws {}

    /// A TCP connection with the reply-line decoder in its pipeline, wrapped for async use.
    private func connect() async throws -> NIOAsyncChannel<String, ByteBuffer> {
        let endpoint = configuration.endpoint
        guard let bootstrap = ClientBootstrap(validatingGroup: eventLoopGroup) else {
            throw DeliveryError.transient("smtp \(endpoint): the event loop group cannot make socket connections")
        }
        do {
            return try await bootstrap
                .connectTimeout(TimeAmount(configuration.timeout))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Replies are short (RFC 5321: 512 bytes a line); a server streaming more is broken.
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder(), maximumBufferSize: 64 * 1024))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw DeliveryError.transient("smtp \(endpoint): cannot connect: \(error)")
        }
    }

    private static func makeTLSContext(for configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustRootsFile {
            tls.trustRoots = .file(file)
            // A private CA vouches for whatever it signed; the name check stays with public roots.
            tls.certificateVerification = .noHostnameVerification
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// A bare `local@domain` with nothing that could end the SMTP command or the header line it
    /// goes into (no spaces, control characters or angle brackets).
    static func isPlausibleAddress(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex else {
            return false
        }
        return !address.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
    }
}

// MARK: - The message

extension SMTPAdapter {
    /// The message as sent after DATA (before dot-stuffing): RFC 5322 headers and the UTF-8
    /// body in base64, every line ending in CRLF. Pure, so tests can read it.
    static func message(for delivery: OutgoingDelivery, from: String, date: Date) -> String {
        let headers = [
            "From: \(from)",
            "To: \(delivery.address ?? "")",
            "Subject: \(encodedHeaderText(delivery.subject))",
            "Date: \(rfc5322Date(date))",
            "Message-ID: <\(delivery.deliveryId)@omnibus>",
            // The same on every try: a receiver that got an earlier try can drop this one.
            "X-Omnibus-Delivery-Id: \(delivery.deliveryId)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            // base64 keeps every line short and 7-bit whatever the body holds, and no line of it
            // can start with a dot.
            "Content-Transfer-Encoding: base64",
        ]
        return (headers + [""] + base64Lines(Data(delivery.body.utf8))).map { $0 + "\r\n" }.joined()
    }

    /// Printable ASCII as is; anything else as RFC 2047 encoded-words (`=?UTF-8?B?…?=`), at most
    /// 45 bytes of text each (so a word stays under the 75 characters allowed), folded onto
    /// continuation lines and split only between characters.
    static func encodedHeaderText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(character.utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
        return words.joined(separator: "\r\n ")
    }

    /// `Thu, 01 Jan 1970 00:00:00 +0000`: English names and GMT whatever the host's settings.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// Base64 in lines of 76 characters, as RFC 2045 asks of a base64 body.
    static func base64Lines(_ data: Data) -> [String] {
        let encoded = Array(data.base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            String(decoding: encoded[start ..< min(start + 76, encoded.count)], as: UTF8.self)
        }
    }
}
