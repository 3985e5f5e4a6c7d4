import ArgumentParser
import Foundation
import OmnibusBus

/// `omnibus-bench`: measures this machine and prints the figures; `bus` (the default) for
/// the foundation's targets, `identity` for the identity service's commands.
@main
struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnibus-bench",
        abstract: "Measure Omnibus on this machine and print the figures.",
        subcommands: [BusBenchmark.self, IdentityBenchmark.self, OrdersBenchmark.self, CouponsBenchmark.self, ConversationBenchmark.self, NotificationsBenchmark.self,
                      GatewayBenchmark.self, CodecBenchmark.self, CurveBenchmark.self, SoakBenchmark.self],
        defaultSubcommand: BusBenchmark.self)
}

/// `omnibus-bench bus`. In one run: commit-to-applied latency at a steady 1,000 events/s
/// (after a warm-up second), the durable end-to-end rate (outbox commit → publish →
/// subscribe → applied and offset committed) and the CPU it cost per event, the same latency right after that burst, the
/// catch-up replay rate of a subscriber 100,000 events behind (from its first applied batch,
/// and counting its start-up), peak resident memory, then
/// the raw libzmq PUB→SUB rate (the transport's limit) and the ratio of the two rates.
/// Figures are printed, never asserted: targets are judged by a person reading them.
struct BusBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Measure raw transport, durable end-to-end throughput, latency and replay.")

    @Option(help: "Messages for the raw PUB→SUB measurement.")
    var rawMessages = 2_000_000

    @Option(help: "Events for the durable end-to-end measurement.")
    var events = 200_000

    @Option(help: "Events for the latency measurement (sent at --latency-rate per second).")
    var latencyEvents = 5_000

    @Option(help: "Events per second during the latency measurement.")
    var latencyRate = 1_000

    @Option(help: "How far behind the catch-up subscriber starts.")
    var replayBehind = 100_000

    @Option(help: "Payload bytes per message and event.")
    var payloadBytes = 256

    @Option(help: "Events per producer transaction (group commit) in the throughput run.")
    var producerBatch = 1_000

    func validate() throws {
        guard rawMessages > 0, events > 0, latencyEvents > 0, latencyRate > 0, payloadBytes >= 0, producerBatch > 0 else {
            throw ValidationError("counts and rates must be positive")
        }
        guard replayBehind <= events else { throw ValidationError("--replay-behind must not exceed --events") }
    }

    func run() async throws {
        let directory = NSTemporaryDirectory() + "omnibus-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let context = try ZMQContext(ioThreads: 1)
        print("omnibus-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, payload \(payloadBytes) B, libzmq \(ZMQContext.version)")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: directory).text)

        let pipeline = try await DurablePipeline.start(directory: directory, context: context)
        // Latency is measured in steady state first (after a warm-up second that grows the
        // fresh WAL files), then again right after the throughput burst, while the burst's
        // WAL (tens of MB) is still being checkpointed.
        _ = try await pipeline.latency(events: latencyRate, rate: latencyRate, payloadBytes: payloadBytes)
        let steady = try await pipeline.latency(events: latencyEvents, rate: latencyRate, payloadBytes: payloadBytes)
        report("commit→applied at \(latencyRate)/s", steady.text)

        let cpuBefore = ProcessCPU.now()
        let durable = try await pipeline.throughput(events: events, batch: producerBatch, payloadBytes: payloadBytes)
        let cpu = ProcessCPU.now() - cpuBefore
        report("producer outbox commits alone", "\(format(durable.producer)) events/s")
        report("durable end to end", "\(format(durable.endToEnd)) events/s")
        // Steadier than the rate on a shared machine: what each event cost, all threads together.
        report("  CPU per event, all threads", String(
            format: "%.1f µs user, %.1f µs kernel", cpu.user / Double(events) * 1e6, cpu.system / Double(events) * 1e6))

        let afterBurst = try await pipeline.latency(events: latencyEvents, rate: latencyRate, payloadBytes: payloadBytes)
        report("  the same right after the burst", afterBurst.text)

        let replay = try await pipeline.catchUp(behind: replayBehind, directory: directory)
        report("catch-up replay (\(replayBehind) behind)",
               "\(format(replay.replay)) events/s (\(format(replay.fromStart)) counting the subscriber's start-up)")
        try await pipeline.stop()
        report("peak RSS, Omnibus phases", "\(peakResidentMegabytes()) MiB")

        // Last, because its unbounded queues (nothing may be dropped) dominate peak memory.
        let raw = try await RawTransport.measure(context: context, messages: rawMessages, payloadBytes: payloadBytes)
        report("raw libzmq PUB→SUB", "\(format(raw.rate)) msg/s" + (raw.lost > 0 ? " (\(raw.lost) dropped by libzmq)" : ""))
        report("ratio durable / raw", String(format: "%.3f", durable.endToEnd / raw.rate))
        report("peak RSS, whole run", "\(peakResidentMegabytes()) MiB")
    }

}

/// Prints one figure, aligned with the others.
func report(_ what: String, _ figure: String) {
    print(what.padding(toLength: 40, withPad: " ", startingAt: 0) + figure)
}

/// Polls `condition` every 2 ms until it holds; fails after two minutes (something is stuck,
/// not slow), so a benchmark never spins forever.
func poll(_ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw ValidationError("gave up waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// A rate with thousands separators and no decimals.
func format(_ rate: Double) -> String {
    let number = NumberFormatter()
    number.numberStyle = .decimal
    number.maximumFractionDigits = 0
    return number.string(from: NSNumber(value: rate)) ?? "\(Int(rate))"
}

/// CPU time the whole process (every thread) has used, in seconds.
struct ProcessCPU {
    var user: Double
    var system: Double

    static func now() -> ProcessCPU {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessCPU(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    static func - (after: ProcessCPU, before: ProcessCPU) -> ProcessCPU {
        ProcessCPU(user: after.user - before.user, system: after.system - before.system)
    }
}

/// The process's peak resident set size so far, in MiB (Linux reports `ru_maxrss` in KiB).
func peakResidentMegabytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}
