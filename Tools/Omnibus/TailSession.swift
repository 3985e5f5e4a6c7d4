import Foundation
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// Which events `tail` shows.
struct EventFilter: Sendable {
    var topicPrefix: String?
    var sources: Set<String>
    var customerId: String?
    var types: Set<String>

    func matches(_ header: EventHeader) -> Bool {
        if let topicPrefix, !header.topic.hasPrefix(topicPrefix) { return false }
        if !sources.isEmpty && !sources.contains(header.source) { return false }
        if let customerId, header.customerId != customerId { return false }
        if !types.isEmpty && !types.contains(header.type) { return false }
        return true
    }
}

/// One `tail` run: reads the bus, filters, prints, counts, and knows when to stop.
struct TailSession: Sendable {
    let filter: EventFilter
    let printer: EventPrinter
    let limit: Int?
    let statistics: TopicStatistics?

    func run(_ events: BusEvents) async throws {
        var shown = 0
        reading: for try await item in events {
            switch item {
            case .gapRepaired(let source, let after):
                printer.note("gap in \(source) after sequence \(after): missing events asked for by replay")
            case .caughtUp, .snapshot:  // tail asks for no snapshot: events no longer kept are skipped, with a notice
                continue
            case .event(let event):
                guard filter.matches(event.header) else { continue }
                if let statistics {
                    statistics.count(event.header)
                } else {
                    printer.print(event)
                }
                shown += 1
                if let limit, shown >= limit { break reading }
            }
        }
        statistics?.refresh()
    }
}
