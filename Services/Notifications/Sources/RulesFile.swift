import Foundation
import OmnibusContracts

/// `rules.json` read strictly: every field known, every value checked, and each refusal
/// names the line it is about.
struct RulesFile {
    var rules: [NotificationRule]
    var quietHours: QuietHours?
    var frequencyCap: FrequencyCap?

    typealias LoadError = NotificationRules.LoadError

    /// The events a rule may name.
    static let topics = Set((OrdersEvent.all + CouponsEvent.all + ConversationEvent.all).map { $0.topic })

    static func parse(_ text: String, file: String) throws -> RulesFile {
        let top: [String: JSONValue]
        do {
            top = try ContractCoding.decode([String: JSONValue].self, from: Data(text.utf8))
        } catch {
            throw LoadError(file: file, line: nil, reason: "is not {\"rules\": [{…}, …]}: \(ContractCoding.explain(error))")
        }
        func at(_ needle: String) -> Int? { NotificationRules.line(of: needle, in: text) }
        if let unknown = top.keys.sorted().first(where: { !NotificationRules.fileFields.contains($0) }) {
            throw LoadError(file: file, line: at("\"\(unknown)\""),
                            reason: "unknown field '\(unknown)'; the file has \(NotificationRules.fileFields.sorted().joined(separator: ", "))")
        }
        guard case .array(let items)? = top["rules"] else {
            throw LoadError(file: file, line: nil, reason: "is not {\"rules\": [{…}, …]}: 'rules' must be a list")
        }
        var rules: [NotificationRule] = []
        for item in items {
            guard case .object(let object) = item else { throw LoadError(file: file, line: nil, reason: "every rule must be an object") }
            let rule = try parseRule(object, file: file, at: at)
            guard !rules.contains(where: { $0.ruleId == rule.ruleId }) else {
                throw LoadError(file: file, line: at("\"\(rule.ruleId)\""), reason: "rule '\(rule.ruleId)' is defined twice")
            }
            rules.append(rule)
        }
        return RulesFile(rules: rules, quietHours: try top["quietHours"].map { try quietHours($0, file: file, line: at("\"quietHours\"")) },
                         frequencyCap: try top["frequencyCap"].map { try frequencyCap($0, file: file, line: at("\"frequencyCap\"")) })
    }

    private static func parseRule(_ object: [String: JSONValue], file: String, at: (String) -> Int?) throws -> NotificationRule {
        let ruleId = object["ruleId"]?.stringValue ?? ""
        let line = at("\"\(ruleId)\"")
        func refuse(_ reason: String, line: Int? = line) -> LoadError { LoadError(file: file, line: line, reason: "rule '\(ruleId)': \(reason)") }
        if let unknown = object.keys.sorted().first(where: { !NotificationRules.ruleFields.contains($0) }) {
            throw LoadError(file: file, line: at("\"\(unknown)\""),
                            reason: "unknown field '\(unknown)' in rule '\(ruleId)'; a rule has \(NotificationRules.ruleFields.sorted().joined(separator: ", "))")
        }
        func string(_ field: String) throws -> String {
            guard let value = object[field]?.stringValue, !value.isEmpty else { throw refuse("needs '\(field)' as a non-empty string") }
            return value
        }
        func topics(_ field: String) throws -> [String] {
            let names: [String]
            switch object[field] {
            case nil: names = []
            case .string(let name)?: names = [name]
            case .array(let values)? where values.allSatisfy({ $0.stringValue != nil }): names = values.compactMap(\.stringValue)
            default: throw refuse("'\(field)' must be a topic or a list of topics")
            }
            if let unknown = names.first(where: { !Self.topics.contains($0) }) {
                throw refuse("no event '\(unknown)' to \(field == "on" ? "trigger on" : "be cancelled by")", line: at("\"\(unknown)\""))
            }
            return names
        }
        var rule = NotificationRule(ruleId: try string("ruleId"), on: try topics("on"), purpose: .service, template: try string("template"))
        guard !rule.on.isEmpty else { throw refuse("needs 'on': the event that triggers it") }
        guard let purpose = ConsentPurpose(rawValue: try string("purpose")) else { throw refuse("purpose must be service or marketing") }
        rule.purpose = purpose
        rule.cancelledBy = try topics("cancelledBy")
        switch (object["delay"], object["idle"]) {
        case (.some, .some): throw refuse("has both 'delay' and 'idle'; a rule waits one way")
        case (let delay?, nil): rule.delayMilliseconds = try duration(delay) { reason, _ in refuse(reason) }
        case (nil, let idle?): (rule.delayMilliseconds, rule.idle) = (try duration(idle) { reason, _ in refuse(reason) }, true)
        case (nil, nil): break
        }
        guard rule.cancelledBy.isEmpty || rule.isTimed else { throw refuse("'cancelledBy' needs a 'delay' or 'idle' to cancel") }
        if let when = object["when"] {
            guard case .object(let conditions) = when, conditions.values.allSatisfy({ $0.stringValue != nil }) else {
                throw refuse("'when' must map event paths to patterns, e.g. {\"items.sku\": \"shoe-*\"}", line: at("\"when\""))
            }
            rule.when = conditions.compactMapValues(\.stringValue)
        }
        return rule
    }

    /// `90s`, `30m`, `4h`, `3d` in milliseconds.
    static func duration(_ value: JSONValue, refuse: (String, Int?) -> LoadError) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let text = value.stringValue, let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
              count <= 366 * 86_400_000 / unit
        else { throw refuse("a duration is a positive number and s, m, h or d, like \"30m\" (at most a year)", nil) }
        return count * unit
    }

    private static func quietHours(_ value: JSONValue, file: String, line: Int?) throws -> QuietHours {
        guard case .object(let fields) = value, Set(fields.keys) == ["start", "end", "timeZone"],
              let start = fields["start"]?.stringValue, let end = fields["end"]?.stringValue, let zone = fields["timeZone"]?.stringValue
        else { throw LoadError(file: file, line: line, reason: "quietHours is {\"start\": \"21:00\", \"end\": \"08:00\", \"timeZone\": \"Europe/Rome\"}") }
        let hours = QuietHours(start: start, end: end, timeZone: zone)
        do { try hours.validate() } catch let error as OmnibusError { throw LoadError(file: file, line: line, reason: "quietHours: \(error.message)") }
        return hours
    }

    private static func frequencyCap(_ value: JSONValue, file: String, line: Int?) throws -> FrequencyCap {
        let refusal = LoadError(file: file, line: line, reason: "frequencyCap is {\"max\": 2, \"per\": \"24h\"} (marketing messages per customer)")
        guard case .object(let fields) = value, Set(fields.keys) == ["max", "per"], case .integer(let max)? = fields["max"], max > 0,
              let per = fields["per"]
        else { throw refusal }
        return FrequencyCap(max: Int(max), perMilliseconds: try duration(per) { _, _ in refusal })
    }
}

extension JSONValue {
    var stringValue: String? { if case .string(let string) = self { string } else { nil } }
}
