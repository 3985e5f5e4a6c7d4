import ArgumentParser
import AsyncHTTPClient
import Foundation
import Gateway
import Logging
import NIOCore
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService
import OrdersService

/// `omnibus-bench gateway`: the same commands over HTTP (wrk against the gateway) and over
/// ZeroMQ (straight to the service) in one run, and the SSE fan-out to many clients.
struct GatewayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Measure HTTP command round trips beside ZeroMQ's, and SSE fan-out to many clients.",
        discussion: """
            A real orders service and the gateway in this process. `cart get` and `cart add` are sent for \
            --seconds each by wrk (Debian's wrk, --connections connections, 2 threads) to the gateway, and the \
            same commands by one ZeroMQ client with the same number in flight straight to the service; the ratio \
            is HTTP / ZeroMQ. Then --sse-clients clients follow orders' cart events over SSE while --events \
            events are committed to its log; fan-out is events delivered to all clients per second.
            """)

    @Option(help: "HTTP connections (wrk) and ZeroMQ requests in flight.")
    var connections = 64

    @Option(help: "Seconds each HTTP phase runs.")
    var seconds = 8

    @Option(help: "SSE clients in the fan-out phase.")
    var sseClients = 100

    @Option(help: "Events committed in the fan-out phase.")
    var events = 5_000

    func validate() throws {
        guard connections > 0, seconds > 0, sseClients > 0, events > 0 else { throw ValidationError("every count must be positive") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw ValidationError("needs wrk: apt-get install wrk") }
    }

    static let token = "bench-gateway-token-0123456789"

    func run() async throws {
        let orders = try await BenchedService.start(OrdersService.name) { configuration, context, logger in
            try OrdersService.makeRuntime(configuration: configuration, options: OrdersService.Options(seed: OrdersBenchmark.seed),
                                          context: context, logger: logger)
        }
        defer { orders.removeFiles() }
        let tokens = orders.directory + "/tokens.json"
        try #"{"tokens": [{"name": "bench", "channel": "store", "sha256": "\#(Callers.hash(Self.token))"}]}"#
            .write(toFile: tokens, atomically: true, encoding: .utf8)
        let port = try freePort()
        var logger = Logger(label: "bench.gateway")
        logger.logLevel = .error
        var options = Gateway.Options(
            configuration: SuiteConfiguration(services: [OrdersService.name: orders.service.endpoints]), host: "127.0.0.1", port: port,
            callers: try Callers.load(path: tokens), policy: CommandPolicy(patterns: ["store": ["*"]]))
        options.maxStreamsPerCaller = sseClients
        options.maxStreams = max(options.maxStreams, sseClients)
        let gateway = try Gateway.makeApplication(options: options, context: orders.context, logger: logger)
        let serving = Task { try await gateway.run() }
        defer { serving.cancel() }
        var pool = HTTPClient.Configuration()
        pool.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: sseClients + 8)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pool)
        let base = "http://127.0.0.1:\(port)"
        try await poll("the gateway to answer") {
            (try? await http.execute(HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(2)).status) == .ok
        }
        print("omnibus-bench gateway: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(connections) connections")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: orders.directory).text)

        // The bodies as Lua expressions of wrk's per-thread id and counter: a new customer each time.
        let phases = [
            ("cart get", GetCart.name, #"'{"customerId":"cus_http-' .. tid .. '-' .. n .. '"}'"#),
            ("cart add", AddToCart.name, #"'{"customerId":"cus_http-' .. tid .. '-' .. n .. '","sku":"bench-a","quantity":1}'"#),
        ]
        for (name, command, body) in phases {
            let zmq = try await CommandLoad.pipelined(endpoint: orders.endpoint, context: orders.context, inFlight: connections,
                                                      requests: 20_000) { index in
                command == GetCart.name
                    ? CommandRequest(id: RequestId.random(), command: GetCart.name, channel: "store", data: JSONValue.object(["customerId": .string("cus_zmq-\(index)")]))
                    : CommandRequest(id: RequestId.random(), command: AddToCart.name, channel: "store", data: JSONValue.object([
                        "customerId": .string("cus_zmq-\(index)"), "sku": .string("bench-a"), "quantity": .integer(1)]))
            }
            let rate = try runWrk(url: base + "/v1/commands/" + command, body: body, in: orders.directory)
            report("\(name) over HTTP (wrk)", "\(format(rate.requests)) requests/s, p99 \(rate.p99), \(String(format: "%.2f", rate.requests / zmq.commandsPerSecond))× ZeroMQ"
                   + (rate.errors > 0 ? " (\(rate.errors) not 2xx)" : ""))
            report("\(name) over ZeroMQ", zmq)
        }

        let fanOut = try await SSEFanOut.measure(clients: sseClients, events: events, gateway: base, token: Self.token, orders: orders, http: http)
        report("SSE fan-out, \(sseClients) clients", "\(format(fanOut)) events delivered/s in all")
        try await http.shutdown()
        serving.cancel()
        _ = try? await serving.value
        try await orders.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    /// Runs wrk against `url`, POSTing the Lua expression `body` (of the thread's `tid` and its
    /// counter `n`), and returns its requests/s, p99 and count of answers that were not 2xx.
    private func runWrk(url: String, body: String, in directory: String) throws -> (requests: Double, p99: String, errors: Int) {
        let script = directory + "/wrk.lua"
        try """
            local counter, tid = 0, 0
            setup = function(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
            init = function() tid = wrk.thread:get("tid") end
            wrk.method = "POST"
            wrk.headers["Authorization"] = "Bearer \(Self.token)"
            wrk.headers["Content-Type"] = "application/json"
            request = function()
              counter = counter + 1
              local n = counter
              return wrk.format(nil, nil, nil, \(body))
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func value(after label: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let requests = value(after: "Requests/sec:").flatMap(Double.init) else { throw ValidationError("wrk said: \(text)") }
        return (requests, value(after: "99%") ?? "?", value(after: "Non-2xx or 3xx responses:").flatMap { Int($0) } ?? 0)
    }

    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, length) == 0, getsockname(fd, $0, &length) == 0 else { throw ValidationError("no free port") }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
