import Foundation
import OmnibusContracts
import Synchronization

/// `tail --stats`: events per second by topic and by source, redrawn by `refresh()`.
final class TopicStatistics: Sendable {
    private struct Window {
        var byTopic: [String: Int] = [:]
        var bySource: [String: Int] = [:]
        var startedAt = ContinuousClock.now
    }

    private let window = Mutex(Window())
    private let colour: Bool

    init(colour: Bool) {
        self.colour = colour
    }

    func count(_ header: EventHeader) {
        window.withLock { window in
            window.byTopic[header.topic, default: 0] += 1
            window.bySource[header.source, default: 0] += 1
        }
    }

    /// Prints the table for the window so far and starts a new window.
    func refresh() {
        let (current, seconds) = window.withLock { window in
            let taken = window
            window = Window()
            return (taken, max((ContinuousClock.now - taken.startedAt).secondsValue, 0.001))
        }
        var lines = [colour ? "\u{1B}[2J\u{1B}[H" + "omnibus tail --stats" : "--- \(Timestamp.now())"]
        lines.append(header("SOURCE"))
        for (source, count) in current.bySource.sorted(by: { $0.key < $1.key }) {
            lines.append(row(source, Double(count) / seconds))
        }
        lines.append(header("TOPIC"))
        for (topic, count) in current.byTopic.sorted(by: { $0.key < $1.key }) {
            lines.append(row(topic, Double(count) / seconds))
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func header(_ title: String) -> String {
        title.padding(toLength: 48, withPad: " ", startingAt: 0) + "   EVENTS/S"
    }

    private func row(_ name: String, _ rate: Double) -> String {
        name.padding(toLength: 48, withPad: " ", startingAt: 0) + " " + String(format: "%10.1f", rate)
    }
}
