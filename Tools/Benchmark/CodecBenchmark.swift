import ArgumentParser
import Foundation
import OmnibusContracts

/// `omnibus-bench codec`: the wire codec against Foundation on the same values, in one run:
/// the one-pass encoder (a cart event's payload, a whole envelope) against `JSONEncoder`,
/// the envelope header scanner and the one-pass decoder (the same payload and envelope)
/// against `JSONDecoder`, pooled event ids against `UUID()`.
/// The ratio beside each figure is what the hand-written code buys; if it shrinks toward
/// 1, Foundation has caught up and the hand-written code should go.
struct CodecBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure the wire codec (encoder, envelope writer, header scanner, decoder, event ids) against Foundation.")

    @Option(help: "Operations per measurement.")
    var operations = 200_000

    func validate() throws {
        guard operations > 0 else { throw ValidationError("--operations must be positive") }
    }

    func run() throws {
        print("omnibus-bench codec: \(format(Double(operations))) operations per measurement, a 3-line cart event")
        let cart = Self.cart
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.withoutEscapingSlashes]
        compare("encode cart payload",
                ours: try measure { _ = try ContractCoding.encode(cart) },
                theirs: try measure { _ = try foundation.encode(cart) })
        let envelope = EventEnvelope(
            id: EnvelopeWriter.newEventId(), source: "orders", sequence: 42, type: OrdersEvent.CartItemAdded.type, schemaVersion: 1,
            occurredAt: .now(), customerId: cart.customerId, channel: "app", correlationId: "req-1", causationId: "req-1", data: cart)
        compare("write whole envelope",
                ours: try measure {
                    _ = try EnvelopeWriter.write(
                        id: envelope.id, source: envelope.source, sequence: envelope.sequence, type: envelope.type,
                        schemaVersion: envelope.schemaVersion, occurredAt: envelope.occurredAt, customerId: envelope.customerId,
                        channel: envelope.channel, correlationId: envelope.correlationId, causationId: envelope.causationId,
                        payload: cart)
                },
                theirs: try measure { _ = try foundation.encode(envelope) })
        let bytes = try ContractCoding.encode(envelope)
        let decoder = JSONDecoder()
        compare("read envelope header",
                ours: try measure { _ = try EventHeader.decode(from: bytes) },
                theirs: try measure { _ = try decoder.decode(EventHeader.self, from: bytes) })
        let payload = try ContractCoding.encode(cart)
        compare("decode cart payload",
                ours: try measure { _ = try ContractCoding.decode(OrdersEvent.CartChanged.self, from: payload) },
                theirs: try measure { _ = try decoder.decode(OrdersEvent.CartChanged.self, from: payload) })
        compare("decode whole envelope",
                ours: try measure { _ = try ContractCoding.decode(EventEnvelope<OrdersEvent.CartChanged>.self, from: bytes) },
                theirs: try measure { _ = try decoder.decode(EventEnvelope<OrdersEvent.CartChanged>.self, from: bytes) })
        compare("new event id",
                ours: measure { _ = EnvelopeWriter.newEventId() },
                theirs: measure { _ = UUID().uuidString.lowercased() })
    }

    /// Operations per second of `operation`, best of three runs (the least disturbed).
    private func measure(_ operation: () throws -> Void) rethrows -> Double {
        var best = 0.0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<operations { try operation() }
            best = max(best, Double(operations) / (ContinuousClock.now - start).secondsValue)
        }
        return best
    }

    private func compare(_ phase: String, ours: Double, theirs: Double) {
        report(phase, "\(format(ours))/s, Foundation \(format(theirs))/s, ratio \(String(format: "%.1f", ours / theirs))")
    }

    static let cart = OrdersEvent.CartChanged(
        customerId: "cus_6a95c1de-1e43-4a7e-9d51-2f1c0e7a9b33", version: 3, sku: "socks-trio", quantity: 1,
        items: [
            OrdersEvent.CartItem(sku: "shoe-aria-red-38", quantity: 1, unitPrice: Money(amountMinor: 8999, currency: "EUR"), channel: "app"),
            OrdersEvent.CartItem(sku: "tee-basic-white-M", quantity: 2, unitPrice: Money(amountMinor: 1999, currency: "EUR"), channel: "app"),
            OrdersEvent.CartItem(sku: "socks-trio", quantity: 1, unitPrice: Money(amountMinor: 1299, currency: "EUR"), channel: "web"),
        ])
}
