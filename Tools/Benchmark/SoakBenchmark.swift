import ArgumentParser
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OrdersService
import Synchronization

/// `omnibus-bench soak`: an orders service under a fixed command rate for a long time, with
/// events and stored replies kept only `--keep`: the data folder should level off once the
/// first `--keep` has passed, memory stay flat and throughput not decline. Prints one line
/// per `--report-seconds`, then the last window against the first after the retention filled.
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run orders at a fixed command rate with short retention; print the data folder, memory and throughput over time.",
        discussion: """
            Clients alternately add a line to a customer's cart and remove it (so the carts themselves stay \
            small), each command writing an event and a stored reply. The service runs in this process, \
            trimming its log every 10 s and its stored replies every 10 s.
            """)

    @Option(help: "How long to run, in minutes.")
    var minutes = 30

    @Option(help: "Commands per second, spread over the clients.")
    var rate = 1_000

    @Option(help: "How long events and stored replies are kept: 30s, 5m, 1h.")
    var keep = "5m"

    @Option(help: "Seconds between report lines.")
    var reportSeconds = 60

    @Option(help: "Concurrent clients.")
    var clients = 4

    @Option(help: "Customers the commands go round.")
    var customers = 5_000

    func validate() throws {
        guard minutes > 0, rate > 0, reportSeconds > 0, clients > 0, customers > 0 else {
            throw ValidationError("minutes, rate, report seconds, clients and customers must be positive")
        }
        guard retention != nil else { throw ValidationError("--keep '\(keep)' is not an age such as 5m (and not 0)") }
    }

    /// `--keep` read; nil when it is not an age with a limit.
    private var retention: Duration? { EventRetention.parseAge(keep) ?? nil }

    func run() async throws {
        guard let retention else { throw ValidationError("--keep '\(keep)' is not an age such as 5m (and not 0)") }
        let bench = try await BenchedService.start(OrdersService.name) { configuration, context, logger in
            var configuration = configuration
            configuration.retention = EventRetention(maxAge: retention, maxBytes: nil)
            configuration.commands.replyRetention = retention
            configuration.replyPruneInterval = .seconds(10)
            return try OrdersService.makeRuntime(configuration: configuration, options: OrdersService.Options(seed: OrdersBenchmark.seed),
                                                 context: context, logger: logger)
        }
        defer { bench.removeFiles() }
        FileHandle.standardOutput.write(Data("""
            omnibus-bench soak: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(rate) commands/s from \(clients) clients \
            for \(minutes) min, events and replies kept \(keep)

            """.utf8))
        FileHandle.standardOutput.write(Data("  time | commands/s |  p99 ms | data folder MiB | event log MiB | oldest kept | RSS MiB\n".utf8))
        let window = SoakWindow()
        let stop = StopSignal()
        let load = Task { try await drive(bench: bench, window: window, stop: stop) }
        var windows: [SoakWindow.Summary] = []
        let started = ContinuousClock.now
        let end = started + .seconds(minutes * 60)
        while ContinuousClock.now < end {
            try await Task.sleep(until: min(end, ContinuousClock.now + .seconds(reportSeconds)), clock: .continuous)
            let summary = window.take()
            let (log, oldest) = try await bench.runtime.store.database.pool.read { db in (try Outbox.size(in: db).bytes, try Outbox.oldest(in: db) ?? 0) }
            let line = SoakLine(elapsed: ContinuousClock.now - started, summary: summary, dataBytes: Self.folderBytes(bench.directory),
                                logBytes: log, oldest: oldest, residentMegabytes: currentResidentMegabytes())
            windows.append(summary)
            // Written at once, not buffered: a long run is read while it goes.
            FileHandle.standardOutput.write(Data((line.text + "\n").utf8))
        }
        stop.stop()
        try await load.value
        try await bench.service.stop()
        if let first = windows.dropFirst(windows.count > 2 ? 1 : 0).first, let last = windows.last, first.perSecond > 0 {
            report("last window / first window", String(format: "%.2f× commands/s, %.2f× p99", last.perSecond / first.perSecond,
                                                         first.p99 > 0 ? last.p99 / first.p99 : 0))
        }
        report("failed commands", "\(windows.reduce(0) { $0 + $1.failures })")
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    /// The clients: each sends on a fixed schedule (rate / clients a second), catching up
    /// without pause when it fell behind, so the rate is what was asked for as long as the
    /// service keeps up.
    private func drive(bench: BenchedService, window: SoakWindow, stop: StopSignal) async throws {
        let (endpoint, context, clients, customers) = (bench.endpoint, bench.context, clients, customers)
        let interval = Duration.seconds(Double(clients) / Double(rate))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    try await DedicatedThread.run(name: "soak-client-\(client)", stop: stop) {
                        let commands = try BlockingCommandClient(context: context, endpoint: endpoint, timeoutMilliseconds: 30_000)
                        let start = ContinuousClock.now
                        var step = 0
                        while !stop.isStopped {
                            let due = start + interval * step
                            if due > .now { Thread.sleep(forTimeInterval: (due - .now).secondsValue) }
                            let customer = "cus_soak-\(client)-\((step / 2) % customers)"
                            let sku = OrdersBenchmark.skus[(step / 2) % OrdersBenchmark.skus.count]
                            let sent = ContinuousClock.now
                            let ok = try step % 2 == 0
                                ? commands.send(OrdersBenchmark.add(customer: customer, sku: sku), expecting: SkippedPayload.self).ok
                                : commands.send(CommandRequest(id: RequestId.random(), command: RemoveFromCart.name, channel: "app",
                                                               data: RemoveFromCart(customerId: customer, sku: sku)),
                                                expecting: SkippedPayload.self).ok
                            window.record(milliseconds: (ContinuousClock.now - sent).secondsValue * 1000, ok: ok)
                            step += 1
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func folderBytes(_ path: String) -> Int64 {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: "\(path)/\(file)")[.size] as? Int64) ?? 0)
        }
    }
}

/// Round trips since the last report line.
final class SoakWindow: Sendable {
    struct Summary {
        var perSecond: Double
        var p99: Double
        var failures: Int
    }

    private struct State {
        var samples: [Double] = []
        var failures = 0
        var since = ContinuousClock.now
    }

    private let state = Mutex(State())

    func record(milliseconds: Double, ok: Bool) {
        state.withLock {
            $0.samples.append(milliseconds)
            if !ok { $0.failures += 1 }
        }
    }

    /// The window's figures; a new window starts.
    func take() -> Summary {
        let taken = state.withLock { state in
            defer { state = State() }
            return state
        }
        let seconds = (ContinuousClock.now - taken.since).secondsValue
        return Summary(perSecond: Double(taken.samples.count) / max(seconds, 0.001),
                       p99: LatencySummary(milliseconds: taken.samples).p99, failures: taken.failures)
    }
}

/// One report line of the soak.
struct SoakLine {
    let elapsed: Duration
    let summary: SoakWindow.Summary
    let dataBytes: Int64
    let logBytes: Int64
    let oldest: Int64
    let residentMegabytes: Int

    var text: String {
        let seconds = Int(elapsed.secondsValue.rounded())
        return String(format: "%3d:%02d | %10.0f | %7.2f | %15.1f | %13.1f | %11lld | %7d", seconds / 60, seconds % 60, summary.perSecond,
                      summary.p99, Double(dataBytes) / 1_048_576, Double(logBytes) / 1_048_576, oldest, residentMegabytes)
    }
}

/// The process's resident memory now, from /proc/self/statm.
func currentResidentMegabytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
          let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}
