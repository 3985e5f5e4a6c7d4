import ArgumentParser

/// `omnibus-probe`: a small service that produces or consumes test events over the real
/// runtime. The end-to-end tests run it as separate processes, and ops can use it to check
/// a deployment's bus by hand.
@main
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-probe",
        abstract: "Produce or consume probe events over the Omnibus bus (tests and diagnostics).",
        subcommands: [Produce.self, Consume.self])
}
