import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusConfiguration
import OmnibusContracts
import OmnibusService

/// `omnibus-bench curve`: what CURVE costs, measured in one run — the durable end-to-end
/// rate (outbox commit → publish → subscribe → applied) and command round trips, first in
/// plaintext, then with CURVE and ZAP on every socket, and the ratio of the two.
struct CurveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",
        abstract: "Measure the bus and the command path with CURVE on, beside CURVE off.")

    @Option(help: "Events for the durable end-to-end measurement, per mode and round.")
    var events = 100_000

    @Option(help: "Commands (service.health) for the round-trip measurement, per mode and round.")
    var commands = 20_000

    @Option(help: "Commands in flight at once on one connection.")
    var inFlight = 32

    @Option(help: "Payload bytes per event.")
    var payloadBytes = 256

    @Option(help: "Rounds, each measuring plaintext then CURVE; the medians are printed.")
    var rounds = 3

    @Option(help: "libzmq I/O threads per context (CURVE's encryption runs on them).")
    var ioThreads: Int32 = 1

    func validate() throws {
        guard events > 0, commands > 0, inFlight > 0, payloadBytes >= 0, ioThreads > 0, rounds > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        print("omnibus-bench curve: \(ProcessInfo.processInfo.activeProcessorCount) cores, payload \(payloadBytes) B, libzmq \(ZMQContext.version), "
              + "\(rounds) rounds alternating the modes, medians")
        let keys = try CurveKeyPair.generate()
        // One principal for the whole benchmark: its key is every server's and every client's.
        let access = BusAccess(
            keys: KeyFolder(path: "(in memory)", publicKeys: ["bench": keys.publicKey]),
            policy: BusPolicy(principals: ["bench": .init(kind: .ops, commands: ["*"], reads: ["*"])]))
        // Alternating rounds, so that a slow spell of a shared machine hits both modes alike.
        var plain: [Figures] = [], secured: [Figures] = []
        for _ in 0..<rounds {
            for curve in [nil, CurveSecurity(keys: keys, serverKeys: [:], defaultServerKey: keys.publicKey)] {
                let figure = try await measure(
                    producer: try ZMQContext(ioThreads: ioThreads, curve: curve), consumer: try ZMQContext(ioThreads: ioThreads, curve: curve),
                    access: curve == nil ? nil : access)
                if curve == nil { plain.append(figure) } else { secured.append(figure) }
            }
        }
        let off = Figures.median(plain), on = Figures.median(secured)
        for (mode, figure) in [("plaintext", off), ("CURVE", on)] {
            report("durable end to end, \(mode)", "\(format(figure.durable)) events/s, \(String(format: "%.1f", figure.cpuMicrosecondsPerEvent)) µs CPU per event")
            report("command round trips, \(mode)", "\(format(figure.commands)) commands/s (\(inFlight) in flight)")
        }
        report("ratio CURVE / plaintext, durable", String(format: "%.3f", on.durable / off.durable))
        report("ratio CURVE / plaintext, commands", String(format: "%.3f", on.commands / off.commands))
        report("CPU CURVE adds per event", String(format: "%.1f µs (%.0f%%)", on.cpuMicrosecondsPerEvent - off.cpuMicrosecondsPerEvent,
                                                  (on.cpuMicrosecondsPerEvent / off.cpuMicrosecondsPerEvent - 1) * 100))
    }

    struct Figures {
        var durable: Double
        /// CPU time of every thread per event in the durable run: steadier than the rate on a shared machine.
        var cpuMicrosecondsPerEvent: Double
        var commands: Double

        /// Each figure's median over `runs`.
        static func median(_ runs: [Figures]) -> Figures {
            func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            return Figures(durable: middle(runs.map(\.durable)), cpuMicrosecondsPerEvent: middle(runs.map(\.cpuMicrosecondsPerEvent)),
                           commands: middle(runs.map(\.commands)))
        }
    }

    /// One mode: a fresh producer and consumer, a warm-up, the durable rate, then commands.
    private func measure(producer: ZMQContext, consumer: ZMQContext, access: BusAccess?) async throws -> Figures {
        let directory = NSTemporaryDirectory() + "omnibus-bench-curve-\(getpid())-\(access == nil ? "plain" : "curve")"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pipeline = try await DurablePipeline.start(directory: directory, context: producer, consumerContext: consumer, access: access)
        _ = try await pipeline.throughput(events: min(events, 20_000), batch: 1_000, payloadBytes: payloadBytes)
        let cpuBefore = ProcessCPU.now()
        let durable = try await pipeline.throughput(events: events, batch: 1_000, payloadBytes: payloadBytes)
        let cpu = ProcessCPU.now() - cpuBefore
        let round = try await CommandLoad.pipelined(
            endpoint: pipeline.producer.endpoints.commands, context: consumer, inFlight: inFlight, requests: commands
        ) { index in CommandRequest(GetHealth(), id: "health-\(index)") }
        guard round.failures == 0 else { throw ValidationError("\(round.failures) commands failed") }
        try await pipeline.stop()
        return Figures(durable: durable.endToEnd, cpuMicrosecondsPerEvent: (cpu.user + cpu.system) / Double(events) * 1e6,
                       commands: round.commandsPerSecond)
    }
}
