import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts

/// Latency samples in milliseconds, summarised.
struct LatencySummary {
    let p50: Double
    let p99: Double
    let max: Double

    init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        p50 = percentile(0.50)
        p99 = percentile(0.99)
        max = sorted.last ?? 0
    }

    var text: String { String(format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms", p50, p99, max) }
}

/// Drives a service's command endpoint from `clients` DEALER sockets at once, each on its
/// own thread sending one request after another, and measures every round trip.
enum CommandLoad {
    struct Result {
        let commandsPerSecond: Double
        let latency: LatencySummary
        let failures: Int
    }

    /// `request(client, index)` makes the `index`th request of `client`.
    static func run<Input: Codable & Sendable>(
        endpoint: String, context: ZMQContext, clients: Int, requestsPerClient: Int,
        request: @escaping @Sendable (_ client: Int, _ index: Int) -> CommandRequest<Input>
    ) async throws -> Result {
        let start = ContinuousClock.now
        let perClient = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for client in 0..<clients {
                group.addTask {
                    try await DedicatedThread.run(name: "bench-client-\(client)", stop: StopSignal()) {
                        let commands = try BlockingCommandClient(context: context, endpoint: endpoint, timeoutMilliseconds: 30_000)
                        var samples: [Double] = []
                        samples.reserveCapacity(requestsPerClient)
                        var failures = 0
                        for index in 0..<requestsPerClient {
                            let sent = ContinuousClock.now
                            // The body is not needed, only whether the reply is ok: decoding it would charge the service's cores.
                            let reply = try commands.send(request(client, index), expecting: SkippedPayload.self)
                            samples.append((ContinuousClock.now - sent).secondsValue * 1000)
                            if !reply.ok { failures += 1 }
                        }
                        return (samples, failures)
                    }
                }
            }
            return try await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
        }
        return Result(lanes: perClient, since: start)
    }
}

extension CommandLoad.Result {
    /// The rate, latency and failures of lanes (each its latency samples and failures)
    /// that ran from `start` until now.
    init(lanes: [([Double], Int)], since start: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - start).secondsValue
        let samples = lanes.flatMap(\.0)
        self.init(commandsPerSecond: Double(samples.count) / seconds, latency: LatencySummary(milliseconds: samples),
                  failures: lanes.map(\.1).reduce(0, +))
    }
}

extension CommandLoad {
    /// Drives the endpoint from one ``CommandClient`` (one socket) with `inFlight` requests
    /// outstanding at all times, `requests` in all, as an async front end would.
    static func pipelined<Input: Codable & Sendable>(
        endpoint: String, context: ZMQContext, inFlight: Int, requests: Int,
        request: @escaping @Sendable (_ index: Int) -> CommandRequest<Input>
    ) async throws -> Result {
        var options = CommandClient.Options()
        options.timeout = .seconds(30)
        options.resendAfter = .seconds(30)
        return try await CommandClient.withClient(endpoint: endpoint, context: context, options: options) { client in
            let start = ContinuousClock.now
            let lanes = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
                for lane in 0..<inFlight {
                    group.addTask {
                        var samples: [Double] = []
                        var failures = 0
                        for index in stride(from: lane, to: requests, by: inFlight) {
                            let sent = ContinuousClock.now
                            let reply = try await client.send(request(index), expecting: SkippedPayload.self)
                            samples.append((ContinuousClock.now - sent).secondsValue * 1000)
                            if !reply.ok { failures += 1 }
                        }
                        return (samples, failures)
                    }
                }
                return try await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
            }
            return Result(lanes: lanes, since: start)
        }
    }
}

/// CPU time of this process's threads whose names start with a prefix (Linux:
/// `/proc/self/task/*/stat`, in clock ticks of 10 ms): the service's own share when it
/// runs in the benchmark's process beside its clients.
enum ThreadCPU {
    static func seconds(namePrefix: String) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let ticks = tasks.reduce(0) { total, task in
            guard let stat = FileHandle(forReadingAtPath: "/proc/self/task/\(task)/stat")?.readDataToEndOfFile(),
                  let text = String(data: stat, encoding: .utf8),
                  let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
                  text[text.index(after: open)..<close].hasPrefix(namePrefix)
            else { return total }
            // After "(comm)": state is field 3, utime and stime are fields 14 and 15.
            let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
            return total + (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Prints one load phase: its rate, latency and failures.
func report(_ phase: String, _ result: CommandLoad.Result) {
    report(phase, "\(format(result.commandsPerSecond)) commands/s, \(result.latency.text)"
        + (result.failures > 0 ? " (\(result.failures) failed)" : ""))
}
