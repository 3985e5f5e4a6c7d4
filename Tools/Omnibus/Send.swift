import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusCommandLine
import OmnibusContracts

/// `omnibus send`: one command to one service, the reply printed as JSON. For operators
/// and for trying the suite by hand; front ends link OmnibusClient instead.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one command to a service and print its reply as JSON.",
        discussion: """
            Example: omnibus send orders orders.cart.add '{"customerId":"cus_…","sku":"socks-trio","quantity":1}' --channel web. \
            Exits 0 when the reply is ok, 1 when it is an error reply or none came within --timeout. \
            Re-sending with the same --id is safe: the service answers with its first reply.
            """)

    @OptionGroup var suite: SuiteConfigurationOption
    @OptionGroup var principal: PrincipalOption

    @Argument(help: "The service, as named in the configuration (identity, orders, …).")
    var service: String

    @Argument(help: "The command, e.g. orders.cart.get.")
    var command: String

    @Argument(help: "The command's data as a JSON object (default: {}).")
    var data = "{}"

    @Option(help: "The channel the request comes from (app, web, store, call_center, …).")
    var channel: String?

    @Option(help: "The request id, which is also the idempotency key (default: a new UUID).")
    var id: String?

    @Option(help: "Milliseconds to wait for the reply.")
    var timeout = 5000

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard case .object = try parsedData() else { throw ValidationError("the command's data must be a JSON object, like {}") }
    }

    private func parsedData() throws -> JSONValue {
        do {
            return try ContractCoding.decode(JSONValue.self, from: Data(data.utf8))
        } catch {
            throw ValidationError("the command's data is not valid JSON: \(ContractCoding.explain(error))")
        }
    }

    func run() async throws {
        let (configuration, _) = try suite.loadOrRefuse()
        guard let endpoints = configuration.services[service] else {
            throw ValidationError("no service '\(service)' in the configuration; it names \(configuration.services.keys.sorted().joined(separator: ", "))")
        }
        let request = CommandRequest(id: id ?? RequestId.random(), command: command, channel: channel, data: try parsedData())
        let context = try principal.busContext(for: configuration)
        let timeout = self.timeout
        let reply: CommandReply<JSONValue>
        do {
            reply = try await CommandClient.send(
                request, to: endpoints.commands, context: context, timeout: .milliseconds(timeout), expecting: JSONValue.self)
        } catch let error as OmnibusError where error.code == .unavailable {
            // The command may still have been applied: only the same id makes a retry safe.
            throw OmnibusError(.unavailable, "no reply from \(service) at \(endpoints.commands) within \(timeout) ms; "
                               + "to retry safely, send again with --id \(request.id)")
        }
        print(String(decoding: try Self.prettyEncode(reply), as: UTF8.self))
        if !reply.ok { throw ExitCode(1) }
    }

    private static func prettyEncode(_ reply: CommandReply<JSONValue>) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(reply)
    }
}
