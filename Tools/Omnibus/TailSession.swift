import Foundation
import OmnibusClient
import OmnibusContracts
import OmnibusService

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

/// One `tail` run: takes the tap's items, filters, prints, counts, and knows when to stop.
struct TailSession: Sendable {
    let filter: EventFilter
    let printer: EventPrinter
    let limit: Int?
    let untilEnd: Bool
    let statistics: TopicStatistics?

    func run(_ tap: BusTap, stop: StopRequest) throws {
        var shown = 0
        try tap.run(shouldStop: {
            statistics?.refreshIfDue()
            return stop.isRequested || (untilEnd && tap.isCaughtUp)
        }) { item in
            switch item {
            case .gapRepaired(let source, let after):
                printer.note("gap in \(source) after sequence \(after): missing events asked for by replay")
                return true
            case .event(let event):
                guard filter.matches(event.header) else { return true }
                if let statistics {
                    statistics.count(event.header)
                } else {
                    printer.print(event)
                }
                shown += 1
                if let limit, shown >= limit { return false }
                return !(untilEnd && tap.isCaughtUp)
            }
        }
        statistics?.refresh()
    }
}
