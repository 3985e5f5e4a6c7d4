import ArgumentParser

/// `omnibus`: the operator's tool. `up` runs the suite, `tail` shows the bus, `status` its health.
@main
struct Omnibus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus",
        abstract: "Run and inspect an Omnibus suite.",
        discussion: "Every subcommand reads the service endpoints from one suite configuration (deploy/omnibus.json).",
        subcommands: [Up.self, Tail.self, Status.self, Send.self, MetricsCommand.self, CustomerCommand.self, Keys.self,
                      Backup.self, Restore.self])
}
