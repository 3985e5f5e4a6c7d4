import ArgumentParser
import Foundation
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts
import Synchronization

/// `omnibus customer`: one customer as every channel sees them, folded from the services'
/// logs with the contract's `CustomerViews`, the same code a front end uses.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "Show one customer as every channel sees them: profile, identifiers, consent, cart, orders.",
        discussion: """
            Replays every service's event log from the start, folds it into the customer's view \
            (a merged-away id shows its survivor), and prints the view as JSON once caught up. With \
            --follow it then keeps reading live events and prints the view again, one JSON line, each time \
            it changes, until Ctrl-C. Exits 1 when no event concerns the customer, or when the logs \
            cannot be replayed within --timeout (a service down). Front ends get the same with \
            OmnibusClient's CustomerFeed.views.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Argument(help: "The customer id (cus_…).")
    var customerId: String

    @Flag(help: "After the current view, print each change as it happens.")
    var follow = false

    @Option(help: "Seconds to wait for every service's log to be replayed.")
    var timeout = 30

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard customerId.hasPrefix("cus_") else { throw ValidationError("'\(customerId)' is not a customer id (cus_…)") }
    }

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        let sources = try configuration.services.keys.sorted().map(configuration.subscriptionSource(of:))
        let context = try principal.busContext(for: configuration)
        var logger = Logger(label: "omnibus.customer")
        logger.logLevel = .critical
        let views = CustomerFeed.views(
            of: customerId, sources: sources, context: context, logger: logger, catchUpTimeout: .seconds(timeout))
        let (customerId, follow) = (self.customerId, self.follow)
        let found = Mutex(false)
        do {
            try await untilInterrupted {
                for try await view in views {
                    guard let view else { return }
                    found.withLock { $0 = true }
                    Self.print(view, pretty: !follow)
                    guard follow else { return }
                }
            }
        } catch let error as OmnibusError where error.code == .unavailable {
            FileHandle.standardError.write(Data("omnibus customer: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        if !found.withLock({ $0 }) {
            FileHandle.standardError.write(Data("omnibus customer: no event concerns \(customerId)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func print(_ view: CustomerView, pretty: Bool) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let bytes = try? encoder.encode(view) else { return }
        FileHandle.standardOutput.write(bytes + Data("\n".utf8))
    }
}
