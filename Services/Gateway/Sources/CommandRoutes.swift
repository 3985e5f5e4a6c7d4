import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OmnibusClient
import OmnibusContracts

/// `POST /v1/commands/{command}`: the body is the command's `data`; the reply is the
/// service's reply envelope (`{"requestId", "ok", "data" | "error"}`) with the HTTP status of
/// its error code. The caller's token sets the channel; `Idempotency-Key` is the request id
/// (scoped to the caller), so a retried POST is applied once.
struct CommandRoutes: Sendable {
    let clients: [String: CommandClient]
    let access: Access
    let anonymous: AnonymousCustomers
    let timeout: Duration
    /// The largest body taken; a larger one is refused with 413 before it reaches a service.
    static let maxBodyBytes = 1 << 20

    func handle(_ request: Request, command: String) async throws -> Response {
        let caller: Callers.Caller
        switch access.check(request, command: command) {
        case .refused(let response): return response
        case .allowed(let who): caller = who
        }
        guard let service = command.split(separator: ".").first.map(String.init), let client = clients[service] else {
            return Self.error(.unknownCommand, "no service takes '\(command.prefix(80))'; commands start with \(clients.keys.sorted().joined(separator: ", "))")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return Self.error(.tooLarge, "the body is larger than \(Self.maxBodyBytes) bytes")
        }
        // The body goes on as it came, once it is known to be exactly one JSON value (so it
        // cannot close the envelope and add fields of its own); a body whose command names a
        // channel, or whose customer is checked, is decoded, checked and re-encoded.
        var raw = body.readableBytes == 0 ? Data("{}".utf8) : Data(body.readableBytesView)
        let isPublic = access.policy.resolvesOnlyAnonymous(caller)
        var named: String?
        do {
            // Read once when the caller or the command has something in the body to check or pin.
            let pinsChannel = Self.channelFields[command] != nil
            if pinsChannel || isPublic || caller.customerId != nil {
                var data = try ContractCoding.decode(JSONValue.self, from: raw)
                if let refusal = Self.refusal(of: data, from: caller, isPublic: isPublic) { return refusal }
                if case .object(let fields) = data, let customerId = fields["customerId"] {
                    guard case .string(let id) = customerId else { return Self.error(.invalidArgument, "customerId is a string") }
                    named = id
                }
                if pinsChannel { Self.pinChannelFields(command, of: &data, to: caller) }
                // The service reads the customer the gateway checked, whatever else the body held
                // (a key given twice, say): it gets the body as the gateway read it.
                if pinsChannel || isPublic || named != nil { raw = try ContractCoding.encode(data) }
            } else {
                _ = try JSONSerialization.jsonObject(with: raw, options: [.fragmentsAllowed])
            }
        } catch {
            return Self.error(.invalidRequest, "the body is not JSON: \(ContractCoding.explain(error))")
        }
        if isPublic, let named, let refusal = await anonymous.refusal(customerId: named, for: caller) {
            return Self.response(CommandReply<JSONValue>(requestId: "", error: refusal))
        }
        let id: String
        switch Self.requestId(request.headers[HTTPField.Name("Idempotency-Key")!], caller: caller) {
        case .failure(let refusal): return Self.error(.invalidRequest, refusal.message)
        case .success(let value): id = value
        }
        let reply: Data
        do {
            reply = try await client.replyBytes(command: command, id: id, channel: caller.channel, actingFor: caller.customerId,
                                                rawData: raw, timeout: timeout)
        } catch let error as OmnibusError where error.code == .invalidArgument {
            // The client refuses a request id already in flight: the same key sent again too soon.
            return Self.error(.conflict, "a request with this Idempotency-Key is still in flight; retry when it is answered")
        } catch let error as OmnibusError {
            return Self.response(CommandReply<JSONValue>(requestId: id, error: error))
        }
        // A command that names no customer (an order by its id) is checked by what it returns:
        // another customer's is answered as if it did not exist.
        if let customer = caller.customerId, let named = NamedCustomer.inData(of: reply), named != customer {
            return Self.response(CommandReply<JSONValue>(requestId: id, error: OmnibusError(.notFound, "no such \(command.split(separator: ".").dropFirst().first ?? "record") for this customer")))
        }
        // Only the outcome is read; the reply goes on as the service wrote it. A success is seen
        // without parsing: `"ok":true` unescaped can only be the envelope's own field.
        let status: HTTPResponse.Status
        if reply.prefix(300).range(of: Self.okTrue) != nil {
            status = .ok
        } else {
            let outcome = try? ContractCoding.decode(Outcome.self, from: reply)
            status = outcome.map { $0.ok ? .ok : ($0.error?.code.httpStatus ?? .internalServerError) } ?? .badGateway
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply)))
    }

    private static let okTrue = Data(#""ok":true"#.utf8)

    /// What decides a reply's HTTP status.
    private struct Outcome: Decodable {
        struct Failure: Decodable { var code: ErrorCode }
        var ok: Bool
        var error: Failure?
    }

    /// 403 for a body its caller may not send: a customer token naming another customer, or a
    /// public front end's token naming a customer by anything but a device id — resolving it,
    /// or recording a message for it (`conversation.message.record` takes an `identifier`).
    static func refusal(of data: JSONValue, from caller: Callers.Caller, isPublic: Bool) -> Response? {
        guard case .object(let fields) = data else { return nil }
        if let customer = caller.customerId, let named = fields["customerId"], named != .string(customer) {
            return error(.forbidden, "a customer's token acts for that customer only")
        }
        if isPublic, let identifier = fields["identifier"], !Self.isDeviceId(identifier) {
            return error(.forbidden, "a public front end names customers only by device id; its server (a signsIn token) or staff use the rest")
        }
        return nil
    }

    private static func isDeviceId(_ identifier: JSONValue) -> Bool {
        guard case .object(let fields) = identifier else { return false }
        return fields["kind"] == .string(IdentifierKind.device.rawValue)
    }

    /// Body fields by which a command names a channel: the token's channel goes there, unless
    /// the caller is staff that records on someone's behalf (backoffice, ops).
    static let channelFields = [SetConsent.name: "source"]
    static let recordsOnBehalf: Set<String> = ["backoffice", "ops"]

    static func pinChannelFields(_ command: String, of data: inout JSONValue, to caller: Callers.Caller) {
        guard let field = channelFields[command], !recordsOnBehalf.contains(caller.channel), case .object(var fields) = data,
              fields[field] != nil
        else { return }
        fields[field] = .string(caller.channel)
        data = .object(fields)
    }

    /// The request id: the caller's name and its `Idempotency-Key`, or a new UUID without one.
    static func requestId(_ key: String?, caller: Callers.Caller) -> Result<String, OmnibusError> {
        guard let key else { return .success(RequestId.random()) }
        let id = "\(caller.name):\(key)"
        guard !key.isEmpty, RequestId.isValid(id), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            return .failure(OmnibusError(.invalidRequest, "Idempotency-Key must be 1 to \(128 - caller.name.utf8.count - 1) printable ASCII characters"))
        }
        return .success(id)
    }

    static func response(_ reply: CommandReply<JSONValue>, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        let status = reply.ok ? .ok : (reply.error?.code.httpStatus ?? .internalServerError)
        let body = (try? ContractCoding.encode(reply)) ?? Data(#"{"ok":false}"#.utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A reply the gateway itself gives: the same envelope as a service's, with no request id.
    static func error(_ code: ErrorCode, _ message: String, headers: HTTPFields = [:]) -> Response {
        response(CommandReply(requestId: "", error: OmnibusError(code, message)), headers: headers)
    }
}

/// The caller behind a request's bearer token, and whether the policy lets it do something.
struct Access: Sendable {
    let callers: Callers
    let policy: CommandPolicy
    let sessions: CustomerSessions

    enum Outcome {
        case allowed(Callers.Caller)
        case refused(Response)
    }

    /// 401 without a known token (a front end's, or an unexpired customer token this gateway
    /// signed), 403 when the caller may not do `command`. The
    /// token is the `Authorization: Bearer` header's; a GET may give it as `access_token` in
    /// the query instead, because a browser's EventSource cannot set headers.
    func check(_ request: Request, command: String) -> Outcome {
        let authorization = request.headers[.authorization] ?? ""
        // The scheme is case-insensitive (RFC 7235).
        let token = authorization.lowercased().hasPrefix("bearer ") ? String(authorization.dropFirst("Bearer ".count))
            : request.method == .get ? request.uri.queryParameters["access_token"].map(String.init) : nil
        guard let token, let caller = token.hasPrefix(CustomerSessions.prefix) ? sessions.caller(token: token) : callers.caller(token: token) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            let response = CommandRoutes.error(.unauthenticated, "a known token is needed: Authorization: Bearer <token>", headers: headers)
            return .refused(Response(status: .unauthorized, headers: response.headers, body: response.body))
        }
        guard policy.allows(caller, command) else {
            let who = caller.customerId == nil ? "the \(caller.channel) channel" : "a customer's token"
            return .refused(CommandRoutes.error(.forbidden, "\(who) may not call \(command.prefix(80))"))
        }
        return .allowed(caller)
    }
}
