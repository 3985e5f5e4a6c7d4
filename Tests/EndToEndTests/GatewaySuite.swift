import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Services as processes, the gateway as a process in front of them with the shipped dev
/// tokens and policy (deploy/gateway), and an HTTP client.
final class GatewaySuite: Sendable {
    let processes: ServiceProcesses
    let gateway: ChildProcess
    let port: Int
    let http: HTTPClient

    private init(processes: ServiceProcesses, gateway: ChildProcess, port: Int, http: HTTPClient) {
        self.processes = processes
        self.gateway = gateway
        self.port = port
        self.http = http
    }

    /// `secured`: CURVE on the bus, the gateway acting as its own principal (see ``ServiceProcesses``).
    static func with(_ services: [String], secured: Bool = false, _ body: (GatewaySuite) async throws -> Void) async throws {
        try await ServiceProcesses.with(services, start: true, secured: secured) { processes in
            let port = try freeLoopbackPort()
            let deploy = ServiceProcesses.deploy.appendingPathComponent("gateway").path
            let gateway = try ChildProcess(
                product: "omnibus-gateway",
                arguments: ["--config", processes.configPath, "--http", "127.0.0.1:\(port)",
                            "--tokens", deploy + "/tokens.json", "--policy", deploy + "/policy.json", "--console", deploy + "/console.html", "--openapi", deploy + "/openapi.json",
                            "--cors-origin", "https://shop.example.com"],
                logPath: processes.directory.file("gateway.log"))
            let suite = GatewaySuite(processes: processes, gateway: gateway, port: port,
                                     http: HTTPClient(eventLoopGroupProvider: .singleton))
            try await scoped(suite, stop: { suite in
                try await suite.http.shutdown()
                suite.gateway.send(SIGTERM)
                #expect(try await suite.gateway.waitForExit() == .exited(0), "\(suite.gateway.log)")
            }) { suite in
                try await eventually("the gateway and every service to answer /healthz") {
                    guard suite.gateway.isRunning else { throw TestFailure("the gateway exited: \(suite.gateway.log)") }
                    return (try? await suite.get("/healthz").status) == 200
                }
                try await body(suite)
            }
        }
    }

    /// An HTTP answer: status, headers, body, and the reply envelope's data or error.
    struct Reply {
        var status: UInt
        var headers: HTTPHeaders
        var body: String
        var envelope: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        var data: [String: Any]? { envelope?["data"] as? [String: Any] }
        var error: [String: Any]? { envelope?["error"] as? [String: Any] }
    }

    func post(_ command: String, _ body: String, token: String?, idempotencyKey: String? = nil) async throws -> Reply {
        try await post(path: "/v1/commands/\(command)", body, token: token, idempotencyKey: idempotencyKey)
    }

    func post(path: String, _ body: String, token: String?, idempotencyKey: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    /// A customer token for `customerId`, asked for by a front end's server-side token
    /// (`POST /v1/customer-sessions`), as a shop does once the customer has signed in.
    func customerToken(for customerId: String, signedInBy serverToken: String) async throws -> String {
        let session = try await post(path: "/v1/customer-sessions", #"{"customerId":"\#(customerId)"}"#, token: serverToken)
        return try #require(session.envelope?["token"] as? String, "\(session.body)")
    }

    func get(_ path: String, token: String? = nil, method: HTTPMethod = .GET, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: response.status.code, headers: response.headers, body: String(buffer: body))
    }

    /// Opens `path` as a Server-Sent Events stream (with the token in a header, or none when
    /// the path carries it as `access_token`, as a browser's EventSource must).
    func events(_ path: String, token: String?, lastEventId: String? = nil) async throws -> SSEStream {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: lastEventId) }
        return try await SSEStream.open(request, on: http)
    }

    /// `count` customers `cus_<prefix>-N` each add a shoe to their cart, straight over ZeroMQ, 32 at a time.
    func addToCarts(_ count: Int, prefix: String) async throws {
        try await CommandClient.withClient(endpoint: processes.configuration.services["orders"]!.commands, context: processes.context,
                                           channel: "web") { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<32 {
                    group.addTask {
                        for index in stride(from: lane, to: count, by: 32) {
                            _ = try await client.send(AddToCart(customerId: "cus_\(prefix)-\(index)", sku: "shoe-aria-red-38", quantity: 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// A Server-Sent Events stream read by a real HTTP client: its frames with data, in order.
struct SSEStream {
    struct Frame: Sendable {
        var id: String?
        var event: String?
        var data: String
    }

    private let frames: AsyncThrowingStream<Frame, any Error>
    private let reader: Task<Void, Never>

    static func open(_ request: HTTPClientRequest, on client: HTTPClient) async throws -> SSEStream {
        let response = try await client.execute(request, timeout: .seconds(3600))
        guard response.status == .ok else {
            throw TestFailure("the stream answered \(response.status): \(String(buffer: try await response.body.collect(upTo: 1 << 16)))")
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Frame.self)
        let reader = Task {
            do {
                var pending = ""
                for try await chunk in response.body {
                    pending += String(buffer: chunk)
                    while let end = pending.range(of: "\n\n") {
                        if let frame = Self.frame(pending[..<end.lowerBound]) { continuation.yield(frame) }
                        pending.removeSubrange(..<end.upperBound)
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return SSEStream(frames: stream, reader: reader)
    }

    /// The next frame that carries data (comments and id-only blocks are read past); fails
    /// after 30 s without one.
    func next() async throws -> Frame? {
        try await within(.seconds(30), "an event") { [frames] in
            // One reader at a time, one after another: each call makes its own iterator.
            var iterator = frames.makeAsyncIterator()
            return try await iterator.next()
        }
    }

    func close() { reader.cancel() }

    private static func frame(_ block: Substring) -> Frame? {
        var frame = Frame(id: nil, event: nil, data: "")
        var hasData = false
        for line in block.split(separator: "\n") where !line.hasPrefix(":") {
            if line.hasPrefix("id: ") { frame.id = String(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { frame.data += line.dropFirst(6); hasData = true }
        }
        return hasData ? frame : nil
    }
}

/// What `operation` returns, or a failure saying `what` did not come within `timeout`.
func within<Value: Sendable>(_ timeout: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestFailure("no \(what) within \(timeout)")
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() else { throw TestFailure("no \(what)") }
        return value
    }
}

