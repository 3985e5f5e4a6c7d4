import NIOCore
import NIOSSL

/// The client side of one SMTP transaction (RFC 5321) on a connected channel: greeting, EHLO,
/// STARTTLS when configured and offered (RFC 3207), MAIL, RCPT, DATA, QUIT — one command at a
/// time, each reply read in full before the next command.
///
/// A reply the step did not expect is a ``DeliveryError``: permanent for 5xx (the server will
/// answer the same next time), transient otherwise. A failing connection is transient, and
/// reported as a timeout once the deadline (when the adapter closes the channel) has passed.
struct SMTPSession {
    private let configuration: SMTPConfiguration
    private let channel: any Channel
    private var replies: NIOAsyncChannelInboundStream<String>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let deadline: ContinuousClock.Instant

    /// A server sending more continuation lines than this is not answering SMTP.
    private static let maximumReplyLines = 256

    init(configuration: SMTPConfiguration, channel: any Channel, inbound: NIOAsyncChannelInboundStream<String>,
         outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, deadline: ContinuousClock.Instant) {
        self.configuration = configuration
        self.channel = channel
        self.replies = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.deadline = deadline
    }

    /// Hands `message` (see ``SMTPAdapter/message(for:from:date:)``) over for `recipient`;
    /// returns once the server accepted it. `tlsContext` is nil when TLS is off.
    mutating func deliver(_ message: String, to recipient: String, tlsContext: NIOSSLContext?) async throws {
        try await exchange(nil, label: "the connection", expecting: 220...220)
        let hello = try await command("EHLO \(configuration.heloName)", label: "EHLO", expecting: 200...299)
        if let tlsContext {
            if hello.offers("STARTTLS") {
                try await command("STARTTLS", label: "STARTTLS", expecting: 220...220)
                try await startTLS(tlsContext)
                // RFC 3207: both sides forget what was said before TLS, so greet again.
                try await command("EHLO \(configuration.heloName)", label: "EHLO after STARTTLS", expecting: 200...299)
            } else if configuration.tls == .required {
                throw DeliveryError.transient("smtp \(configuration.endpoint) does not offer STARTTLS, and the configuration requires TLS")
            }
        }
        try await command("MAIL FROM:<\(configuration.from)>", label: "MAIL FROM", expecting: 200...299)
        try await command("RCPT TO:<\(recipient)>", label: "RCPT TO", expecting: 200...299)
        try await command("DATA", label: "DATA", expecting: 354...354)
        try await exchange(ByteBuffer(bytes: Self.dataPayload(message)), label: "the message", expecting: 200...299)
        // Accepted: from here a failure must not make the worker send it again, so QUIT is a courtesy.
        _ = try? await command("QUIT", label: "QUIT", expecting: 221...221)
    }

    /// The message as DATA carries it: CRLF line endings, a dot doubled at the start of a line
    /// (so no line of the message reads as the end), then the lone-dot line that ends it.
    static func dataPayload(_ message: String) -> [UInt8] {
        var lines = Array(message.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // what followed the final line break
        var payload: [UInt8] = []
        payload.reserveCapacity(message.utf8.count + 16)
        for var line in lines {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.first == UInt8(ascii: ".") { payload.append(UInt8(ascii: ".")) }
            payload += line
            payload += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        payload += Array(".\r\n".utf8)
        return payload
    }

    // MARK: - Commands and replies

    @discardableResult
    private mutating func command(_ line: String, label: String, expecting expected: ClosedRange<Int>) async throws -> SMTPReply {
        try await exchange(ByteBuffer(string: line + "\r\n"), label: label, expecting: expected)
    }

    /// Sends `request` (nothing, for the greeting) and reads the reply, which must be in `expected`.
    @discardableResult
    private mutating func exchange(_ request: ByteBuffer?, label: String, expecting expected: ClosedRange<Int>) async throws -> SMTPReply {
        let reply: SMTPReply
        do {
            if let request { try await outbound.write(request) }
            reply = try await readReply()
        } catch {
            throw failure(error, during: label)
        }
        guard expected.contains(reply.code) else {
            let reason = "smtp \(configuration.endpoint) answered \(reply.code) \(reply.text.prefix(300)) to \(label)"
            switch reply.code {
            case 500...599: throw DeliveryError.permanent(reason)
            case 400...499: throw DeliveryError.transient(reason)
            default: throw DeliveryError.transient("\(reason) (expected \(expected.lowerBound))")
            }
        }
        return reply
    }

    /// All the lines of one reply: `250-…` lines continue it, `250 …` (or a bare `250`) ends it.
    private mutating func readReply() async throws -> SMTPReply {
        var lines: [String] = []
        while lines.count < Self.maximumReplyLines {
            guard let text = try await replies.next() else { throw SMTPProtocolError.connectionClosed }
            guard let line = SMTPReply.Line(parsing: text) else { throw SMTPProtocolError.malformedReply(text) }
            lines.append(line.text)
            if line.isLast { return SMTPReply(code: line.code, lines: lines) }
        }
        throw SMTPProtocolError.malformedReply("more than \(Self.maximumReplyLines) lines in one reply")
    }

    /// Puts TLS under the line decoder: everything after this is encrypted. The handshake runs
    /// as the handler is added; a failure surfaces at the next read (the EHLO that follows).
    private func startTLS(_ context: NIOSSLContext) async throws {
        let channel = self.channel
        let host = configuration.host
        // The name for SNI and the certificate; an IP literal is not a valid SNI name.
        let serverHostname: String? = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        do {
            // Handlers are not Sendable: make and add it on the channel's event loop.
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
            }.get()
        } catch {
            throw failure(error, during: "STARTTLS")
        }
    }

    /// A broken, closed or timed-out connection: transient, with what it broke during.
    private func failure(_ error: any Error, during label: String) -> DeliveryError {
        if ContinuousClock.now >= deadline {
            return .transient("smtp \(configuration.endpoint) timed out after \(configuration.timeout) during \(label)")
        }
        return .transient("smtp \(configuration.endpoint) failed during \(label): \(error)")
    }
}

/// One SMTP reply: its code and the text of each of its lines.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: " ") }

    /// Whether an EHLO reply lists `keyword` (upper case) among the extensions, one a line after the first.
    func offers(_ keyword: String) -> Bool {
        lines.dropFirst().contains { $0.split(separator: " ").first?.uppercased() == keyword }
    }

    /// One line of a reply: three digits, then `-` (more lines follow), a space or nothing (the last).
    struct Line: Sendable, Equatable {
        var code: Int
        var isLast: Bool
        var text: String

        init?(parsing line: String) {
            let bytes = Array(line.utf8)
            let digits = UInt8(ascii: "0") ... UInt8(ascii: "9")
            guard bytes.count >= 3, bytes[0 ..< 3].allSatisfy({ digits.contains($0) }) else { return nil }
            let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return nil }
            code = bytes[0 ..< 3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            isLast = separator == UInt8(ascii: " ")
            text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        }
    }
}

/// What is wrong with the connection itself, as opposed to a reply the server chose.
enum SMTPProtocolError: Error, CustomStringConvertible {
    case connectionClosed
    case malformedReply(String)

    var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection"
        case .malformedReply(let line): "malformed reply \"\(line.prefix(200))\""
        }
    }
}

/// Splits what the server sends into reply lines, without their CRLF (or bare LF).
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let length = newline - view.startIndex
        let contentLength = length > 0 && view[newline - 1] == UInt8(ascii: "\r") ? length - 1 : length
        let bytes = buffer.readBytes(length: contentLength) ?? []
        buffer.moveReaderIndex(forwardBy: length - contentLength + 1)
        context.fireChannelRead(Self.wrapInboundOut(String(decoding: bytes, as: UTF8.self)))
        return .continue
    }
}
