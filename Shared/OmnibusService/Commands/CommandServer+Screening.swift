import Foundation
import OmnibusConfiguration
import OmnibusContracts

/// What the command server checks before the database: framing, size, JSON, name,
/// version, the body's fields; and the refusals it answers when something is wrong.
extension CommandServer {
    /// Checks what can be checked without the database — framing, size, JSON, name,
    /// version, the body's fields, whether the sender may call it — and decodes the request
    /// once, with its command's type, outside the writer's transaction.
    func screen(
        _ message: RoutedMessage
    ) -> Result<(CommandRegistry.Entry, CommandRegistry.DecodedCommand), Refusal> {
        switch screenRequest(message) {
        case .success(let (entry, command)):
            return authorize(command.header, from: message.principal)
                .flatMap { channel in bound(command.header, body: message.body[0]).map { channel } }
                .map { channel in
                    var command = command
                    command.header.channel = channel
                    return (entry, command)
                }
        case .failure(let refusal):
            // A caller that may not call the command learns nothing of how its body is wrong.
            guard let header = refusal.header else { return .failure(refusal) }
            if case .failure(let forbidden) = authorize(header, from: message.principal) { return .failure(forbidden) }
            // A well-formed request whose body the command refuses: a command outcome, counted
            // as such (not as a rejected message).
            count(header.command, ErrorCode.invalidArgument.rawValue)
            return .failure(refusal)
        }
    }

    /// The channel a command runs as — the sender's, from its key, not what the request says —
    /// or `forbidden` when the bus policy does not allow it.
    private func authorize(_ header: CommandHeader, from principal: String?) -> Result<String?, Refusal> {
        guard let policy else { return .success(header.channel) }
        switch policy.authorize(principal ?? "", command: header.command, requestedChannel: header.channel, actingFor: header.actingFor) {
        case .success(let channel):
            return .success(channel)
        case .failure(let refusal):
            // The command name is one the registry knows; nothing else the caller sent is logged.
            count(header.command, ErrorCode.forbidden.rawValue)
            metrics.rejected(endpoint: "commands", reason: "forbidden")
            logger.warning("command forbidden", metadata: [
                "principal": "\(principal ?? "none")", "command": "\(header.command)", "reason": "\(refusal.reason)"])
            return .failure(Refusal(requestId: header.id, error: OmnibusError(.forbidden, refusal.reason)))
        }
    }

    /// A request made for a signed-in customer (`actingFor`) may name no other customer in
    /// its `customerId`; commands that name none are the gateway's to check by their reply.
    private func bound(_ header: CommandHeader, body: Data) -> Result<Void, Refusal> {
        guard let customer = header.actingFor, let named = NamedCustomer.inData(of: body), named != customer else {
            return .success(())
        }
        count(header.command, ErrorCode.forbidden.rawValue)
        metrics.rejected(endpoint: "commands", reason: "forbidden")
        return .failure(Refusal(requestId: header.id, error: OmnibusError(
            .forbidden, "a request made for a signed-in customer concerns that customer only")))
    }

    private func screenRequest(
        _ message: RoutedMessage
    ) -> Result<(CommandRegistry.Entry, CommandRegistry.DecodedCommand), Refusal> {
        guard message.body.count == 1 else {
            return refuse("wrong_frames", .invalidRequest, "a command is one JSON frame; got \(message.body.count) frames")
        }
        let body = message.body[0]
        guard body.count <= options.maxRequestBytes else {
            return refuse("too_large", .tooLarge, requestId: Self.readableRequestId(body),
                          "command is \(body.count) bytes; the limit is \(options.maxRequestBytes)")
        }
        // The usual case: the command's own type reads the whole request in one pass.
        if let name = RequestScan.commandName(in: body), let entry = registry.entries[name],
           let command = try? entry.decode(body), command.header.command == name,
           RequestId.isValid(command.header.id), entry.versions.contains(command.header.version), command.header.headerProblem == nil {
            return .success((entry, command))
        }
        // Something is wrong: reading the header alone first says what.
        let header: CommandHeader
        do {
            header = try ContractCoding.decode(CommandHeader.self, from: body)
        } catch {
            // Not JSON, or JSON that is not a command (a field missing or of the wrong type).
            let reason = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) == nil
                ? "invalid_json" : "invalid_request"
            return refuse(reason, .invalidRequest, requestId: Self.readableRequestId(body),
                          "not a command: \(InputCheck.excerpt(ContractCoding.explain(error, in: body), maxBytes: 300))")
        }
        guard RequestId.isValid(header.id) else {
            return refuse("invalid_request_id", .invalidRequest, "id must be 1 to 128 characters")
        }
        if let problem = header.headerProblem {
            return refuse("invalid_header", .invalidRequest, requestId: header.id, problem)
        }
        guard let entry = registry.entries[header.command] else {
            return refuse("unknown_command", .unknownCommand, requestId: header.id,
                          "'\(InputCheck.excerpt(header.command))' is not a command of \(store.source); known: \(registry.commandNames.joined(separator: ", "))")
        }
        guard entry.versions.contains(header.version) else {
            return refuse("unsupported_version", .unsupportedVersion, requestId: header.id,
                          "\(header.command) version \(header.version) is not supported; supported: \(entry.versions)")
        }
        do {
            return .success((entry, try entry.decode(body)))
        } catch {
            let message = "\(header.command): \(InputCheck.excerpt(ContractCoding.explain(error, in: body), maxBytes: 300))"
            return .failure(Refusal(requestId: header.id, error: OmnibusError(.invalidArgument, message), header: header))
        }
    }

    /// The id of a request refused before its header decoded, when it has a valid one; ""
    /// otherwise (docs/PROTOCOL.md §5). Bodies are at most libzmq's message limit (16 MiB).
    static func readableRequestId(_ body: Data) -> String {
        guard let id = try? ContractCoding.decode(RequestIdOnly.self, from: body).id, RequestId.isValid(id) else {
            return ""
        }
        return id
    }

    /// A request refused before it reached the database; `requestId` is empty when the
    /// request has no readable, valid id.
    struct Refusal: Error {
        var requestId: String
        var error: OmnibusError
        /// Set when the request named a known command and only its body was refused.
        var header: CommandHeader?
    }

    private func refuse<Success>(
        _ reason: String, _ code: ErrorCode, requestId: String = "", _ message: String
    ) -> Result<Success, Refusal> {
        reject(reason, message)
        return .failure(Refusal(requestId: requestId, error: OmnibusError(code, message)))
    }

    func reject(_ reason: String, _ detail: String) {
        metrics.rejected(endpoint: "commands", reason: reason)
        logger.warning("command refused", metadata: ["reason": "\(reason)", "detail": "\(detail)"])
    }
}
