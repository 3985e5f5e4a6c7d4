import Foundation
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusTestSupport
@testable import OmnibusService
import Testing

/// The command server's thread hands the writer's answers and deferred replies to callers
/// (ReplyRouting), over a real ROUTER socket.
@Suite("Reply routing: answers and deferred replies reach their callers")
struct ReplyRoutingTests {
    @Test("a deferred reply that completes before its pending answer is handed over still reaches its caller")
    func completionBeforeItsPendingAnswer() throws {
        try withCaller { router, caller, message in
            var routing = ReplyRouting(maxWaitingCallers: 10, logger: Logger(label: "test"))
            let done = Data(#"{"requestId":"r1","ok":true,"data":{}}"#.utf8)
            // The writer is mid-batch: the completion arrives before the answer that keeps its caller waiting.
            try routing.deliver([], completions: [("key-1", done)], writerWasBusy: true, on: router)
            #expect(try received(by: caller) == nil)
            try routing.deliver([(message, .pending(key: "key-1", requestId: "r1"))], completions: [], writerWasBusy: false, on: router)
            #expect(try received(by: caller) == done)
        }
    }

    @Test("a deferred reply with no caller while the writer is idle is dropped, not kept")
    func completionWithoutCallerIsDropped() throws {
        try withCaller { router, caller, message in
            var routing = ReplyRouting(maxWaitingCallers: 10, logger: Logger(label: "test"))
            try routing.deliver([], completions: [("key-2", Data("late".utf8))], writerWasBusy: false, on: router)
            try routing.deliver([(message, .pending(key: "key-2", requestId: "r2"))], completions: [], writerWasBusy: false, on: router)
            #expect(try received(by: caller) == nil, "the caller waits for a retry's reply, not a stale one")
            let now = Data("now".utf8)
            try routing.deliver([], completions: [("key-2", now)], writerWasBusy: false, on: router)
            #expect(try received(by: caller) == now)
        }
    }

    @Test("a reply the writer left to encode is encoded when sent")
    func encodesLeftReplies() throws {
        try withCaller { router, caller, message in
            var routing = ReplyRouting(maxWaitingCallers: 10, logger: Logger(label: "test"))
            try routing.deliver([(message, .encode(requestId: "r3") { Data("encoded".utf8) })], completions: [], writerWasBusy: false, on: router)
            #expect(try received(by: caller) == Data("encoded".utf8))
        }
    }

    /// A ROUTER and a connected DEALER over inproc, and the DEALER's first message as the ROUTER read it.
    private func withCaller(_ body: (ZMQSocket, ZMQSocket, RoutedMessage) throws -> Void) throws {
        let context = try ZMQContext()
        let endpoint = "inproc://reply-routing-\(UUID().uuidString)"
        let router = try ZMQSocket(context: context, type: .router, lingerMilliseconds: 0)
        try router.bind(endpoint)
        let caller = try ZMQSocket(context: context, type: .dealer, lingerMilliseconds: 0)
        try caller.connect(endpoint)
        try caller.send([Data("request".utf8)])
        guard try router.waitForInput(timeoutMilliseconds: 5_000), let frames = try router.receive(wait: false),
              let message = RoutedMessage(frames: frames)
        else { throw TestFailure("the request did not arrive") }
        try body(router, caller, message)
    }

    /// The caller's next reply body, or nil when none comes within a short wait.
    private func received(by caller: ZMQSocket) throws -> Data? {
        // inproc delivers at once: a reply that was sent is there well within this wait.
        guard try caller.waitForInput(timeoutMilliseconds: 200) else { return nil }
        return try caller.receive(wait: false)?.last
    }
}
