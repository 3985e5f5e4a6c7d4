import Foundation
import Mustache
import OmnibusContracts

/// One rule: which event sends which message, for which purpose, when.
public struct NotificationRule: Sendable, Equatable {
    public var ruleId: String
    /// The triggering events' topics, `source.type` (e.g. `orders.order.ready_for_pickup`).
    public var on: [String]
    public var purpose: ConsentPurpose
    /// The template's name: `templates/<name>.<locale>.mustache`.
    public var template: String
    /// How long after the trigger the message goes (0: at once).
    public var delayMilliseconds: Int64 = 0
    /// An idle rule fires when no trigger came for ``delayMilliseconds``: each trigger restarts its timer.
    public var idle = false
    /// Topics that cancel the rule's waiting timer for the customer (a checkout cancels the cart reminder).
    public var cancelledBy: [String] = []
    /// Conditions on the triggering event: a dotted path in `event` (arrays are searched) and a
    /// pattern its value must match (`*` at the end matches any rest).
    public var when: [String: String] = [:]

    /// Whether the rule waits on a durable timer instead of sending at once.
    var isTimed: Bool { delayMilliseconds > 0 || idle }
}

/// At most `max` marketing messages per customer in any `perMilliseconds` window; more wait.
public struct FrequencyCap: Sendable, Equatable {
    public var max: Int
    public var perMilliseconds: Int64
}

/// The rules and templates, data under deploy/notifications/, loaded at start and refused
/// there — with the file, the line and the reason — when broken.
public struct NotificationRules: Sendable {
    public let rules: [NotificationRule]
    /// Quiet hours for customers who set none (identity's preferences win); nil: none.
    public var quietHours: QuietHours?
    /// The marketing frequency cap; nil: none.
    public var frequencyCap: FrequencyCap?
    /// Subject and body templates by `name.locale`.
    private let templates: [String: (subject: MustacheTemplate, body: MustacheTemplate)]
    /// The locale used when the customer's has no template.
    public static let defaultLocale = "en"
    static let ruleFields: Set<String> = ["ruleId", "on", "purpose", "template", "delay", "idle", "cancelledBy", "when"]
    static let fileFields: Set<String> = ["rules", "quietHours", "frequencyCap"]

    /// A load refused: the file, the line (1-based) and why.
    public struct LoadError: Error, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var reason: String
        public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
    }

    /// Loads `rules.json` and `templates/*.mustache` from `directory`.
    public static func load(directory: String) throws -> NotificationRules {
        let rulesPath = directory + "/rules.json"
        guard let text = try? String(contentsOfFile: rulesPath, encoding: .utf8) else {
            throw LoadError(file: rulesPath, line: nil, reason: "cannot be read")
        }
        let parsed = try RulesFile.parse(text, file: rulesPath)
        let rules = parsed.rules
        var templates: [String: (MustacheTemplate, MustacheTemplate)] = [:]
        let templatesDirectory = directory + "/templates"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: templatesDirectory)) ?? []
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = templatesDirectory + "/" + name
            let key = String(name.dropLast(".mustache".count))
            templates[key] = try parseTemplate(try String(contentsOfFile: path, encoding: .utf8), file: path)
        }
        for rule in rules where templates["\(rule.template).\(defaultLocale)"] == nil {
            throw LoadError(file: rulesPath, line: line(of: "\"\(rule.template)\"", in: text),
                            reason: "rule '\(rule.ruleId)' names the template '\(rule.template)', which has no \(defaultLocale) file in \(templatesDirectory)")
        }
        return NotificationRules(rules: rules, templates: templates, quietHours: parsed.quietHours, frequencyCap: parsed.frequencyCap)
    }

    /// Rules and templates given as values (tests, and services embedding their own).
    public init(rules: [NotificationRule], templates: [String: (subject: MustacheTemplate, body: MustacheTemplate)],
                quietHours: QuietHours? = nil, frequencyCap: FrequencyCap? = nil) {
        self.rules = rules
        self.templates = templates
        self.quietHours = quietHours
        self.frequencyCap = frequencyCap
    }

    /// The rules `topic` triggers.
    func rules(for topic: String) -> [NotificationRule] { rules.filter { $0.on.contains(topic) } }

    /// The timed rules whose waiting timers `topic` cancels.
    func rules(cancelledBy topic: String) -> [NotificationRule] { rules.filter { $0.cancelledBy.contains(topic) } }

    /// The rule called `ruleId`.
    func rule(_ ruleId: String) -> NotificationRule? { rules.first { $0.ruleId == ruleId } }

    /// The message of `template` in `locale` (else in English) rendered with `data`, and the locale used.
    func render(_ template: String, locale: String?, data: Any) -> (subject: String, body: String, locale: String)? {
        let wanted = locale.map { String($0.prefix(2)).lowercased() } ?? Self.defaultLocale
        let (used, pair) = templates["\(template).\(wanted)"].map { (wanted, $0) }
            ?? templates["\(template).\(Self.defaultLocale)"].map { (Self.defaultLocale, $0) } ?? ("", nil)
        guard let pair else { return nil }
        return (pair.subject.render(data).trimmingCharacters(in: .whitespacesAndNewlines),
                pair.body.render(data).trimmingCharacters(in: .whitespacesAndNewlines), used)
    }

    /// A template file: `subject: …` on its first line, the body after.
    static func parseTemplate(_ text: String, file: String) throws -> (subject: MustacheTemplate, body: MustacheTemplate) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("subject:") else {
            throw LoadError(file: file, line: 1, reason: "the first line must be 'subject: …'")
        }
        return (try template(String(first.dropFirst("subject:".count)), lineOffset: 0, file: file),
                try template(lines.dropFirst().joined(separator: "\n"), lineOffset: 1, file: file))
    }

    private static func template(_ text: String, lineOffset: Int, file: String) throws -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            throw LoadError(file: file, line: error.context.lineNumber + lineOffset, reason: "\(error.error) at '\(error.context.line)'")
        }
    }

    /// The 1-based line where `needle` first occurs in `text`.
    static func line(of needle: String, in text: String) -> Int? {
        guard let range = text.range(of: needle) else { return nil }
        return text[..<range.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
