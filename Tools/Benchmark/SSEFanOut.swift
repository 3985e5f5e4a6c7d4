import AsyncHTTPClient
import Foundation
import NIOCore
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// The gateway's SSE fan-out: many clients follow orders' cart events while they are committed.
enum SSEFanOut {
    /// Events delivered to all `clients` per second, from the first commit until every client
    /// has every event.
    static func measure(clients: Int, events: Int, gateway: String, token: String, orders: BenchedService,
                        http: HTTPClient) async throws -> Double {
        let received = (0..<clients).map { _ in HTTPSink.Counter() }
        let ready = HTTPSink.Counter()
        let readers = (0..<clients).map { client in
            Task {
                var request = HTTPClientRequest(url: gateway + "/v1/events?source=orders&type=cart.item_added")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let response = try await http.execute(request, timeout: .seconds(600))
                guard response.status == .ok else { throw OmnibusError(.unavailable, "stream \(client): \(response.status)") }
                var counter = FrameCounter()
                var announced = false
                for try await chunk in response.body {
                    if !announced {
                        announced = true
                        ready.value.add(1, ordering: .relaxed)
                    }
                    received[client].value.add(counter.count(chunk), ordering: .relaxed)
                    if received[client].value.load(ordering: .relaxed) >= events { return }
                }
            }
        }
        defer { readers.forEach { $0.cancel() } }
        try await poll("\(clients) SSE clients to connect") { ready.value.load(ordering: .relaxed) == clients }
        let start = ContinuousClock.now
        try commitCartEvents(events, in: orders.runtime.store)
        try await poll("every client to have every event") {
            received.allSatisfy { $0.value.load(ordering: .relaxed) >= events }
        }
        return Double(clients * events) / (ContinuousClock.now - start).secondsValue
    }

    /// `count` cart events in orders' log, a thousand per transaction, as the relay publishes them.
    static func commitCartEvents(_ count: Int, in store: EventStore) throws {
        for batch in stride(from: 0, to: count, by: 1_000) {
            try store.write(correlationId: "bench") { emitter in
                for index in batch..<min(count, batch + 1_000) {
                    let customerId = "cus_fan-\(index)"
                    _ = try emitter.emit(OrdersEvent.CartItemAdded(OrdersEvent.CartChanged(
                        customerId: customerId, version: 1, sku: "bench-a", quantity: 1, items: [])), customerId: customerId)
                }
            }
        }
    }

    /// Counts SSE frames with data in a byte stream cut anywhere.
    struct FrameCounter {
        private static let pattern = Array("\ndata: ".utf8)
        private var tail: [UInt8] = []

        mutating func count(_ chunk: ByteBuffer) -> Int {
            let bytes = tail + chunk.readableBytesView
            var found = 0
            var index = 0
            while index + Self.pattern.count <= bytes.count {
                if bytes[index] == Self.pattern[0] && Array(bytes[index..<index + Self.pattern.count]) == Self.pattern {
                    found += 1
                    index += Self.pattern.count
                } else {
                    index += 1
                }
            }
            tail = Array(bytes.suffix(Self.pattern.count - 1))
            return found
        }
    }
}
