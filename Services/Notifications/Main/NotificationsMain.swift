import ArgumentParser
import Foundation
import NotificationsService
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// `omnibus-notifications`: runs the notifications service until SIGTERM or SIGINT.
@main
struct NotificationsMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-notifications",
        abstract: "Run the notifications service: events turned into messages on the customer's consented channel, once.",
        discussion: """
            Endpoints come from the suite configuration (deploy/omnibus.json), which also names identity and the \
            services whose events the rules name; the database is <data>/notifications.sqlite. Rules and templates \
            are loaded from the rules folder at start, and a broken one stops the start with its file, line and \
            reason. E-mail goes to --smtp, other channels to their --webhook; a channel with neither keeps its \
            notifications queued. Commands, events and the webhook signature: docs/NOTIFICATIONS.md.
            """)

    @OptionGroup var launch: ServiceLaunchOptions

    @Option(help: ArgumentHelp(
        "The folder with rules.json and templates/.",
        discussion: "Default: $OMNIBUS_NOTIFICATIONS, else notifications/ beside the configuration file.", valueName: "folder"))
    var rules: String?

    @Option(help: ArgumentHelp(
        "The SMTP server for e-mail: smtp://host:port[?tls=off|opportunistic|required] (default: $OMNIBUS_SMTP).", valueName: "url"))
    var smtp: String?

    @Option(help: ArgumentHelp("The sender of e-mail (MAIL FROM and From:).", valueName: "address"))
    var smtpFrom = "notifications@omnibus.local"

    @Option(help: ArgumentHelp("A PEM file of CA certificates trusted for STARTTLS instead of the system's.", valueName: "file"))
    var smtpCaFile: String?

    @Option(help: ArgumentHelp(
        "A provider webhook for a channel: sms=URL, push=URL or messenger=URL; repeatable (default: $OMNIBUS_WEBHOOKS, comma-separated).",
        valueName: "channel=url"))
    var webhook: [String] = []

    @Option(help: ArgumentHelp(
        "The file holding the key webhooks are signed with (HMAC-SHA256); needed with --webhook (default: $OMNIBUS_WEBHOOK_SECRET, the key itself).",
        valueName: "file"))
    var webhookSecretFile: String?

    @Option(help: "Tries per delivery, the first included, before it fails.")
    var maxAttempts = 8

    @Option(help: ArgumentHelp("The wait after the first failed try; it doubles per failure, with jitter, up to 15 minutes.", valueName: "ms"))
    var initialBackoffMs = 2000

    @Option(help: "Deliveries in flight at once.")
    var concurrency = 32

    func run() async throws {
        let logger = launch.bootstrapLogging(service: NotificationsService.name)
        guard let folder = try launch.seedFile(explicit: rules, environment: "OMNIBUS_NOTIFICATIONS", name: "notifications") else {
            throw ValidationError("no notification rules: give --rules, or put notifications/ beside the configuration file")
        }
        let loaded: NotificationRules
        do {
            loaded = try NotificationRules.load(directory: folder)
        } catch let error as NotificationRules.LoadError {
            throw ValidationError("notification rules refused: \(error)")
        }
        let configuration = try launch.runtimeConfiguration(
            service: NotificationsService.name, sources: NotificationsService.sources,
            optionalSources: NotificationsService.optionalSources, logger: logger)
        let delivery = try deliverySettings()
        let options = NotificationsService.Options(rules: loaded, delivery: delivery)
        let runtime = try NotificationsService.makeRuntime(configuration: configuration, options: options, context: try launch.busContext(as: NotificationsService.name), logger: logger)
        logger.notice("notifications starting", metadata: [
            "commands": "\(configuration.endpoints.commands)", "rules": "\(loaded.rules.count)",
            "channels": "\(delivery.deliverable.map(\.rawValue).sorted().joined(separator: ","))",
        ])
        try await runtime.serviceGroup(logger: logger).run()
    }

    private func deliverySettings() throws -> DeliverySettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = DeliverySettings(
            retry: RetryPolicy(maxAttempts: max(1, maxAttempts), initialBackoff: .milliseconds(max(1, initialBackoffMs))),
            concurrency: max(1, concurrency))
        if let url = smtp ?? environment["OMNIBUS_SMTP"], !url.isEmpty {
            guard var smtp = SMTPConfiguration.parse(url, from: smtpFrom) else {
                throw ValidationError("--smtp '\(url)' is not smtp://host:port[?tls=off|opportunistic|required]")
            }
            smtp.trustRootsFile = smtpCaFile
            guard smtp.hasValidSender else { throw ValidationError("the e-mail sender '\(smtp.from)' is not local@domain") }
            settings.smtp = smtp
        }
        let hooks = webhook.isEmpty ? (environment["OMNIBUS_WEBHOOKS"] ?? "").split(separator: ",").map(String.init) : webhook
        for hook in hooks where !hook.isEmpty {
            let parts = hook.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let channel = NotificationChannel(rawValue: parts[0]), ![.email, .inApp].contains(channel),
                  let url = URL(string: parts[1]), ["http", "https"].contains(url.scheme ?? "")
            else { throw ValidationError("--webhook '\(hook)' is not sms=URL, push=URL or messenger=URL (http or https)") }
            settings.webhooks[channel] = parts[1]
        }
        if !settings.webhooks.isEmpty {
            if let file = webhookSecretFile {
                guard let key = FileManager.default.contents(atPath: file) else { throw ValidationError("--webhook-secret-file \(file) cannot be read") }
                settings.webhookSecret = Data(String(decoding: key, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            } else if let key = environment["OMNIBUS_WEBHOOK_SECRET"], !key.isEmpty {
                settings.webhookSecret = Data(key.utf8)
            }
            guard settings.webhookSecret.count >= 16 else {
                throw ValidationError("webhooks need a signing key of at least 16 bytes: --webhook-secret-file or $OMNIBUS_WEBHOOK_SECRET")
            }
        }
        return settings
    }
}
