import ArgumentParser
import OmnibusBus
import OmnibusCommandLine
import OmnibusConfiguration

/// `omnibus keys`: makes the CURVE key folder a secured suite names in its configuration.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a CURVE key pair for every principal of the suite into a folder.",
        discussion: """
            Writes <folder>/principals.json (every principal's public key: the allow-list servers admit) and \
            <folder>/<principal>.key (its secret key, mode 0600). Name the folder in the configuration's \
            "security" section to turn CURVE on; see docs/SECURITY.md. An existing folder is never overwritten.
            """)

    /// Every principal the shipped bus policy names besides the services.
    static let standardPrincipals = ["gateway", "ops", "app", "web", "store", "call_center", "chat", "backoffice"]

    @OptionGroup var suite: SuiteConfigurationOption

    @Argument(help: "The folder to write.")
    var folder: String

    @Option(name: .customLong("principal"), help: "A further principal to make keys for (repeatable).")
    var extra: [String] = []

    func run() throws {
        let (configuration, _) = try suite.loadOrRefuse()
        let names = configuration.services.keys.sorted() + Self.standardPrincipals + extra
        let folder: KeyFolder
        do {
            folder = try KeyFolder.create(at: self.folder, principals: names) {
                let pair = try CurveKeyPair.generate()
                return (pair.publicKey, pair.secretKey)
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        for name in names { print("\(name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(folder.publicKeys[name]!)") }
        print("wrote \(names.count) key pairs to \(self.folder); name it in the configuration's \"security\".keys")
    }
}
