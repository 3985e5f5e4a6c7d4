import Foundation
import HummingbirdWSClient
import Logging
import OmnibusTestSupport
import Synchronization

/// A WebSocket client session for a test: `body` sends text and awaits the next message that
/// matches (30 s at most); every message received is kept, in order, and returned.
final class WebSocketSession: Sendable {
    private let outbound: WebSocketOutboundWriter
    private let messages: AsyncStream<String>

    private init(outbound: WebSocketOutboundWriter, messages: AsyncStream<String>) {
        self.outbound = outbound
        self.messages = messages
    }

    static func run(url: String, _ body: @escaping @Sendable (WebSocketSession) async throws -> Void) async throws -> [String] {
        let transcript = Mutex<[String]>([])
        let failure = FirstFailure()
        let client = WebSocketClient(url: url, logger: Logger(label: "ws-test")) { inbound, outbound, _ in
            let (messages, deliver) = AsyncStream.makeStream(of: String.self)
            // The test runs beside the reading of the socket, and closes it when done.
            let test = Task {
                do {
                    try await body(WebSocketSession(outbound: outbound, messages: messages))
                } catch {
                    failure.record(error)
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                transcript.withLock { $0.append(text) }
                deliver.yield(text)
            }
            deliver.finish()
            await test.value
        }
        try await client.run()
        if let error = failure.error { throw error }
        return transcript.withLock { $0 }
    }

    func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// The next message for which `matches` holds (others are passed over).
    @discardableResult
    func expect(_ matches: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
        let messages = self.messages
        let found = try await within(.seconds(30), "expected message") { () -> String? in
            // One reader at a time: each call makes its own iterator of the one stream.
            var iterator = messages.makeAsyncIterator()
            while let text = await iterator.next() {
                if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], matches(object) { return text }
            }
            return nil
        }
        guard let found, let object = try JSONSerialization.jsonObject(with: Data(found.utf8)) as? [String: Any] else {
            throw TestFailure("the socket closed before the expected message")
        }
        return object
    }
}

/// The error a session's test body threw, kept for the caller to rethrow.
private final class FirstFailure: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    var error: (any Error)? { stored.withLock { $0 } }
    func record(_ error: any Error) { stored.withLock { $0 = $0 ?? error } }
}
