import Foundation
import Mustache
import OmnibusContracts

/// One rule: which event sends which message, for which purpose.
public struct NotificationRule: Sendable, Equatable {
    public var ruleId: String
    /// The triggering event's topic, `source.type` (e.g. `orders.order.ready_for_pickup`).
    public var on: String
    public var purpose: ConsentPurpose
    /// The template's name: `templates/<name>.<locale>.mustache`.
    public var template: String
}

/// The rules and templates, data under deploy/notifications/, loaded at start and refused
/// there — with the file, the line and the reason — when broken.
public struct NotificationRules: Sendable {
    public let rules: [NotificationRule]
    /// Subject and body templates by `name.locale`.
    private let templates: [String: (subject: MustacheTemplate, body: MustacheTemplate)]
    /// The locale used when the customer's has no template.
    public static let defaultLocale = "en"
    static let ruleFields: Set<String> = ["ruleId", "on", "purpose", "template"]

    /// The events a rule may name.
    static let triggers = Set((OrdersEvent.all + CouponsEvent.all + ConversationEvent.all).map { $0.topic })

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
        let rules = try parseRules(text, file: rulesPath)
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
        return NotificationRules(rules: rules, templates: templates)
    }

    /// Rules and templates given as values (tests, and services embedding their own).
    public init(rules: [NotificationRule], templates: [String: (subject: MustacheTemplate, body: MustacheTemplate)]) {
        self.rules = rules
        self.templates = templates
    }

    /// The rules `topic` triggers.
    func rules(for topic: String) -> [NotificationRule] { rules.filter { $0.on == topic } }

    /// The message of `template` in `locale` (else in English) rendered with `data`, and the locale used.
    func render(_ template: String, locale: String?, data: Any) -> (subject: String, body: String, locale: String)? {
        let wanted = locale.map { String($0.prefix(2)).lowercased() } ?? Self.defaultLocale
        let (used, pair) = templates["\(template).\(wanted)"].map { (wanted, $0) }
            ?? templates["\(template).\(Self.defaultLocale)"].map { (Self.defaultLocale, $0) } ?? ("", nil)
        guard let pair else { return nil }
        return (pair.subject.render(data).trimmingCharacters(in: .whitespacesAndNewlines),
                pair.body.render(data).trimmingCharacters(in: .whitespacesAndNewlines), used)
    }

    static func parseRules(_ text: String, file: String) throws -> [NotificationRule] {
        let objects: [[String: JSONValue]]
        do {
            objects = try ContractCoding.decode([String: [[String: JSONValue]]].self, from: Data(text.utf8))["rules"] ?? []
        } catch {
            throw LoadError(file: file, line: nil, reason: "is not {\"rules\": [{…}, …]}: \(ContractCoding.explain(error))")
        }
        var rules: [NotificationRule] = []
        for object in objects {
            let ruleId = object["ruleId"].flatMap { if case .string(let id) = $0 { id } else { nil } } ?? ""
            let at = line(of: "\"\(ruleId)\"", in: text)
            if let unknown = object.keys.sorted().first(where: { !ruleFields.contains($0) }) {
                throw LoadError(file: file, line: line(of: "\"\(unknown)\"", in: text),
                                reason: "unknown field '\(unknown)' in rule '\(ruleId)'; a rule has \(ruleFields.sorted().joined(separator: ", "))")
            }
            func string(_ field: String) throws -> String {
                guard case .string(let value)? = object[field], !value.isEmpty else {
                    throw LoadError(file: file, line: at, reason: "rule '\(ruleId)' needs '\(field)' as a non-empty string")
                }
                return value
            }
            let on = try string("on")
            guard triggers.contains(on) else {
                throw LoadError(file: file, line: line(of: "\"\(on)\"", in: text), reason: "rule '\(ruleId)': no event '\(on)' to trigger on")
            }
            guard let purpose = ConsentPurpose(rawValue: try string("purpose")) else {
                throw LoadError(file: file, line: at, reason: "rule '\(ruleId)': purpose must be service or marketing")
            }
            guard !rules.contains(where: { $0.ruleId == ruleId }) else {
                throw LoadError(file: file, line: at, reason: "rule '\(ruleId)' is defined twice")
            }
            rules.append(NotificationRule(ruleId: try string("ruleId"), on: on, purpose: purpose, template: try string("template")))
        }
        return rules
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
