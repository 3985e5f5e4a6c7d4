import Foundation
import OmnibusBus
import Synchronization

/// The transport's own limit: one PUB thread sending two-frame messages (topic, payload) as
/// fast as it can to one SUB thread over tcp://127.0.0.1. The subscriber counts until an
/// end marker arrives, so a message libzmq drops costs a little rate, never a hang.
enum RawTransport {
    static func measure(context: ZMQContext, messages: Int, payloadBytes: Int) async throws -> (rate: Double, lost: Int) {
        let endpoint = EndpointMailbox()
        let ready = StopSignal()  // raised once the subscriber has seen a warm-up message
        let finished = StopSignal()  // raised once the subscriber has seen the end marker

        async let received: (rate: Double, lost: Int) = DedicatedThread.run(name: "raw-sub", stop: StopSignal()) {
            let subscriber = try ZMQSocket(context: context, type: .subscriber)
            try subscriber.setReceiveHighWaterMark(0)
            while endpoint.endpoint == nil { Thread.sleep(forTimeInterval: 0.001) }
            try subscriber.connect(endpoint.endpoint!)
            try subscriber.subscribe("bench.")
            _ = try subscriber.receive()  // a warm-up message: the subscription is in place
            ready.stop()
            var count = 0
            var start: ContinuousClock.Instant?
            while let frames = try subscriber.receive() {
                let kind = frames[0].last
                if kind == UInt8(ascii: "w") { continue }  // late warm-ups
                if kind == UInt8(ascii: "e") { break }
                if start == nil { start = .now }
                count += 1
            }
            finished.stop()
            let elapsed = ContinuousClock.now - (start ?? .now)
            return (Double(count) / max(elapsed.secondsValue, 1e-9), messages - count)
        }
        try await DedicatedThread.run(name: "raw-pub", stop: StopSignal()) {
            let publisher = try ZMQSocket(context: context, type: .publisher)
            try publisher.setSendHighWaterMark(0)
            try publisher.bind("tcp://127.0.0.1:*")
            endpoint.publish(try publisher.lastEndpoint)
            let payload = Data(repeating: 0x61, count: payloadBytes)
            while !ready.isStopped {
                try publisher.send([Data("bench.w".utf8), payload])
                Thread.sleep(forTimeInterval: 0.001)
            }
            let topic = Data("bench.m".utf8)
            for _ in 0..<messages { try publisher.send([topic, payload]) }
            while !finished.isStopped {
                try publisher.send([Data("bench.e".utf8), payload])
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        return try await received
    }
}

/// An endpoint handed from the thread that binds it to the thread that connects.
/// (OmnibusService.BoundAddress does this for the runtime's servers, which alone set it.)
final class EndpointMailbox: Sendable {
    private let value = Mutex<String?>(nil)
    func publish(_ endpoint: String) { value.withLock { $0 = endpoint } }
    var endpoint: String? { value.withLock { $0 } }
}

