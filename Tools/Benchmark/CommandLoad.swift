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
        let seconds = (ContinuousClock.now - start).secondsValue
        let samples = perClient.flatMap(\.0)
        return Result(commandsPerSecond: Double(samples.count) / seconds, latency: LatencySummary(milliseconds: samples),
                      failures: perClient.map(\.1).reduce(0, +))
    }
}

/// Prints one load phase: its rate, latency and failures.
func report(_ phase: String, _ result: CommandLoad.Result) {
    report(phase, "\(format(result.commandsPerSecond)) commands/s, \(result.latency.text)"
        + (result.failures > 0 ? " (\(result.failures) failed)" : ""))
}
