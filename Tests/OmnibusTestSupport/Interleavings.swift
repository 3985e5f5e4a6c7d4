import Foundation
import OmnibusContracts

/// Folds of several sources' logs in different interleavings, as the bus may deliver them:
/// each source's events stay in their order, sources mix freely, an event now and then
/// arrives twice.
public enum Interleavings {
    /// Each source whole after the other (in the given order and reversed), and five random
    /// mixes with duplicates (seeded, so a failure repeats).
    public static func of(_ logs: [[Data]]) -> [[Data]] {
        var random = SeededGenerator(seed: 7)
        var interleavings = [logs.flatMap { $0 }, logs.reversed().flatMap { $0 }]
        for _ in 0..<5 {
            var remaining = logs.map { $0[...] }
            var merged: [Data] = []
            while let source = remaining.indices.filter({ !remaining[$0].isEmpty }).randomElement(using: &random) {
                merged.append(remaining[source].removeFirst())
                if Int.random(in: 0..<10, using: &random) == 0 { merged.append(merged.last!) }
            }
            interleavings.append(merged)
        }
        return interleavings
    }

    /// The view of `customerId` and the count of events not understood, after folding each
    /// interleaving of `logs`.
    public static func views(of customerId: String, from logs: [[Data]]) throws -> [(view: CustomerView?, skipped: Int)] {
        try of(logs).map { events in
            var views = CustomerViews()
            for event in events { try views.apply(event) }
            return (views.view(of: customerId), views.skipped)
        }
    }
}
