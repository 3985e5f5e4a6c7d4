import Foundation
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// How `tail` writes events: the envelope as a JSON line, or one readable line.
struct EventPrinter: Sendable {
    enum Format: Sendable {
        case json
        case pretty(colour: Bool)
    }

    let format: Format

    func print(_ event: ReceivedEvent) {
        switch format {
        case .json:
            var line = event.envelope
            line.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(line)
        case .pretty(let colour):
            FileHandle.standardOutput.write(Data((Self.prettyLine(event, colour: colour) + "\n").utf8))
        }
    }

    /// A line on standard error, so it never mixes into JSON output.
    func note(_ text: String) {
        FileHandle.standardError.write(Data("omnibus tail: \(text)\n".utf8))
    }

    /// `12:04:31.207  identity     #42  customer.created  cus_…  status=provisional customerId=cus_…`
    static func prettyLine(_ event: ReceivedEvent, colour: Bool) -> String {
        let header = event.header
        let paint: (String, String) -> String = { text, code in colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let time = header.occurredAt.description.split(separator: "T").last.map { String($0.dropLast()) } ?? "\(header.occurredAt)"
        return [
            paint(time, "2"),
            paint(header.source.padding(toLength: 12, withPad: " ", startingAt: 0), "36"),
            paint("#\(header.sequence)", "33"),
            paint(header.type, "1"),
            paint(header.customerId ?? "-", "35"),
            summary(event),
        ].joined(separator: "  ")
    }

    /// `key=value` pairs of the data's top level, nested values shortened, the customer id
    /// left out when the line already shows it; at most 120 characters.
    static func summary(_ event: ReceivedEvent) -> String {
        guard let envelope = try? event.decode(JSONValue.self), case .object(var fields) = envelope.data else { return "" }
        if let customerId = event.header.customerId, fields["customerId"] == .string(customerId) { fields["customerId"] = nil }
        let text = fields.keys.sorted().map { "\($0)=\(compact(fields[$0]!))" }.joined(separator: " ")
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }

    private static func compact(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .integer(let integer): "\(integer)"
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        case .string(let text): text
        case .array(let items): "[\(items.count)]"
        case .object(let object): "{\(object.keys.sorted().joined(separator: ","))}"
        }
    }
}
