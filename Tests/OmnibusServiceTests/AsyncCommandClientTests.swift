import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Synchronization
import Testing

/// The long-lived command client a front end keeps: many requests in flight on one socket,
/// resends with the same id, timeouts, cancellation, and a clean stop.
@Suite("Command client: one socket, many requests", .timeLimit(.minutes(1)))
struct AsyncCommandClientTests {
    static var fast: CommandClient.Options {
        var options = CommandClient.Options()
        options.resendAfter = .milliseconds(100)
        options.timeout = .seconds(10)
        return options
    }

    @Test func sixtyFourRequestsInFlightEachGetTheirOwnReply() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            let sequences = try await CommandClient.withClient(endpoint: producer.endpoints.commands, context: context) { client in
                try await withThrowingTaskGroup(of: [Int64].self) { group in
                    for index in 0..<64 {
                        group.addTask { try await client.send(AddNotes(count: 1, text: "n\(index)")).sequences }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            #expect(sequences.sorted() == Array(1...64), "every request applied once, every reply matched to its request")
            #expect(try producer.runtime.store.head() == 64)
        }
    }

    @Test func anUnansweredRequestIsResentWithTheSameIdUntilAnswered() async throws {
        let context = try ZMQContext()
        let endpoint = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        // Ignores the first copy and answers the second: a reply lost on the way.
        async let copies = Self.router(at: endpoint, context: context, take: 2, answer: { router, second in
            try router.send([second[0], try ContractCoding.encode(CommandReply(requestId: "same-1", data: AddedNotes(sequences: [7])))])
        })
        let reply = try await CommandClient.withClient(endpoint: endpoint, context: context, options: Self.fast) { client in
            try await client.send(AddNotes(count: 1, text: "x"), id: "same-1")
        }
        let received = try await copies
        #expect(reply.sequences == [7])
        #expect(received.count == 2 && received[0] == received[1], "the resend is the same request, id included")
    }

    @Test func aRequestNobodyAnswersThrowsUnavailableAtItsTimeout() async throws {
        let context = try ZMQContext()
        let endpoint = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        async let heard = Self.router(at: endpoint, context: context, take: 1)
        var options = Self.fast
        options.timeout = .seconds(10)
        let started = ContinuousClock.now
        let error = await #expect(throws: OmnibusError.self) {
            try await CommandClient.withClient(endpoint: endpoint, context: context, options: options) { client in
                // A per-call timeout shorter than the client's, and than its resend interval.
                try await client.send(AddNotes(count: 1, text: "x"), timeout: .milliseconds(300))
            }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("0.3 seconds") == true, "the message names the request's own timeout: \(error?.message ?? "")")
        // The message above says which timeout fired; this only rules out the client's own 10 s.
        #expect(ContinuousClock.now - started < .seconds(10), "expired at its own timeout, not the client's 10 s")
        #expect(try await heard.count == 1, "the request did reach the service")
    }

    @Test func anInvalidRequestIdIsRefusedAtOnce() async throws {
        let context = try ZMQContext()
        let endpoint = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        let error = await #expect(throws: OmnibusError.self) {
            try await CommandClient.withClient(endpoint: endpoint, context: context, options: Self.fast) { client in
                try await client.send(AddNotes(count: 1, text: "x"), id: String(repeating: "i", count: 129))
            }
        }
        #expect(error?.code == .invalidRequest)
    }

    @Test func cancellingTheCallerAbandonsItsRequestAndTheClientGoesOn() async throws {
        let context = try ZMQContext()
        let endpoint = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        var options = Self.fast
        options.resendAfter = .seconds(60)  // every copy the service hears is a request of its own
        options.threadName = "cc-cancel-test"
        // A service that hears requests and never answers.
        let heard = Mutex(0)
        let service = Task { try await Self.router(at: endpoint, context: context, take: 2, heard: { heard.withLock { $0 += 1 } }) }
        let client = try CommandClient(endpoint: endpoint, context: context, options: options)
        let running = Task { try await client.run() }
        let waiting = Task { try await client.send(AddNotes(count: 1, text: "x"), id: "abandoned") }
        try await eventually("the first request reached the service") { heard.withLock { $0 } == 1 }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }

        // An abandoned id is free again: a new request with it is sent and awaits its reply.
        let again = Task { try await client.send(AddNotes(count: 1, text: "x"), id: "abandoned") }
        #expect(try await service.value.count == 2, "the retry reached the service")
        again.cancel()
        await #expect(throws: CancellationError.self) { try await again.value }

        running.cancel()
        _ = await running.result
        let late = await #expect(throws: OmnibusError.self) { try await client.send(AddNotes(count: 1, text: "late")) }
        #expect(late?.code == .unavailable, "a stopped client refuses at once")
        try await eventually("the client's thread is gone") { ThreadCensus.count(named: "cc-cancel-test") == 0 }
    }

    /// A ROUTER bound at `endpoint` on a thread of its own: takes `count` requests (each
    /// routing id and body), hands the last to `answer`, and returns the bodies it got.
    static func router(
        at endpoint: String, context: ZMQContext, take count: Int, heard: @escaping @Sendable () -> Void = {},
        answer: @escaping @Sendable (ZMQSocket, [Data]) throws -> Void = { _, _ in }
    ) async throws -> [Data] {
        try await blocking {
            let router = try ZMQSocket(context: context, type: .router)
            try router.bind(endpoint)
            var bodies: [Data] = []
            var last: [Data] = []
            while bodies.count < count, try router.waitForInput(timeoutMilliseconds: 10_000), let frames = try router.receive() {
                bodies.append(frames[frames.count - 1])
                last = frames
                heard()
            }
            if !last.isEmpty { try answer(router, last) }
            return bodies
        }
    }
}
