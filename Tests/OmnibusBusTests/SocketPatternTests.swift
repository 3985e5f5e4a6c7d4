import Foundation
import OmnibusBus
import OmnibusTestSupport
import Testing

@Suite("libzmq sockets over tcp://127.0.0.1", .timeLimit(.minutes(1)))
struct SocketPatternTests {
    @Test func publisherDeliversOnlySubscribedTopics() async throws {
        let received = try await blocking {
            let context = try ZMQContext()
            let publisher = try ZMQSocket(context: context, type: .publisher)
            try publisher.bind("tcp://127.0.0.1:*")
            let subscriber = try ZMQSocket(context: context, type: .subscriber)
            try subscriber.connect(try publisher.lastEndpoint)
            try subscriber.subscribe("orders.")
            // PUB drops what it sends before the subscription arrives (the slow joiner), so
            // keep publishing until something gets through.
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                try publisher.send(["identity.customer.created", "skip me"])
                try publisher.send(["orders.cart.item_added", "take me"])
                if try subscriber.waitForInput(timeoutMilliseconds: 20) { break }
            }
            return try subscriber.receive()
        }
        #expect(received == [Data("orders.cart.item_added".utf8), Data("take me".utf8)])
    }

    @Test func routerAndDealerExchangeMultipartBinaryMessages() async throws {
        let payload: [Data] = [Data(), Data([0, 255, 1, 254]), Data(repeating: 7, count: 100_000)]
        let (atRouter, atDealer) = try await blocking {
            let context = try ZMQContext()
            let router = try ZMQSocket(context: context, type: .router)
            try router.bind("tcp://127.0.0.1:*")
            let dealer = try ZMQSocket(context: context, type: .dealer)
            try dealer.setRoutingId(Data("client-1".utf8))
            try dealer.connect(try router.lastEndpoint)
            try dealer.send(payload)
            guard try router.waitForInput(timeoutMilliseconds: 5000), let request = try router.receive() else {
                return ([Data](), [Data]())
            }
            try router.send([request[0]] + request.dropFirst().reversed())
            guard try dealer.waitForInput(timeoutMilliseconds: 5000), let reply = try dealer.receive() else {
                return (request, [Data]())
            }
            return (request, reply)
        }
        #expect(atRouter == [Data("client-1".utf8)] + payload)
        #expect(atDealer == payload.reversed())
    }

    @Test func pollTimesOutWhenNothingArrives() async throws {
        let (readable, nonBlocking) = try await blocking {
            let context = try ZMQContext()
            let router = try ZMQSocket(context: context, type: .router)
            try router.bind("tcp://127.0.0.1:*")
            return (try router.waitForInput(timeoutMilliseconds: 50), try router.receive(wait: false))
        }
        #expect(readable == false)
        #expect(nonBlocking == nil)
    }

    @Test func errorsNameTheFunctionAndErrno() throws {
        let context = try ZMQContext()
        let first = try ZMQSocket(context: context, type: .publisher)
        try first.bind("tcp://127.0.0.1:*")
        let endpoint = try first.lastEndpoint
        let second = try ZMQSocket(context: context, type: .publisher)
        let error = try #require(throws: ZMQError.self) { try second.bind(endpoint) }
        #expect(error.function == "zmq_bind")
        #expect(error.code == EADDRINUSE)
        #expect(error.description.contains(endpoint))
        let malformed = try #require(throws: ZMQError.self) { try second.connect("nonsense://x") }
        #expect(malformed.function == "zmq_connect")
        #expect(malformed.code != 0)
    }

    @Test func oversizedMessageIsRefusedAndTheSocketKeepsServing() async throws {
        let received = try await blocking {
            let context = try ZMQContext()
            let router = try ZMQSocket(context: context, type: .router)
            try router.setMaxMessageSize(bytes: 1024)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint
            let greedy = try ZMQSocket(context: context, type: .dealer)
            try greedy.connect(endpoint)
            try greedy.send([Data(repeating: 1, count: 10 << 20)])
            let polite = try ZMQSocket(context: context, type: .dealer)
            try polite.connect(endpoint)
            try polite.send(["small"])
            guard try router.waitForInput(timeoutMilliseconds: 5000) else { return [Data]() }
            return try router.receive() ?? []
        }
        #expect(received.last == Data("small".utf8))
    }

    @Test func closingWithUnsentMessagesDoesNotHang() async throws {
        try await blocking {
            let context = try ZMQContext()
            let dealer = try ZMQSocket(context: context, type: .dealer, lingerMilliseconds: 100)
            try dealer.connect("tcp://127.0.0.1:1")  // nobody listens there
            try dealer.send(["never delivered"], wait: false)
            dealer.close()
        }
        // The context was released above with a socket that had queued data; reaching this
        // line means zmq_ctx_term returned (bounded LINGER).
    }
}
