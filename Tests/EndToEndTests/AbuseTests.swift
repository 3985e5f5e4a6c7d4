import Dispatch
import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// A client that abuses an endpoint costs the service bounded memory, gives it back when it
/// leaves, and does not stop other clients being served. Identity runs as a process; its
/// resident memory is read from /proc.
@Suite("Abuse: bounded memory, other clients still served", .serialized, .timeLimit(.minutes(5)))
struct AbuseTests {
    static let ceiling = 128.0  // MiB a service may reach under abuse
    static let slack = 16.0  // MiB above its start it must come back to

    @Test func aTwoMebibyteSubscriptionGetsTheClientDisconnectedAndCostsNothing() async throws {
        try await ServiceProcesses.with(["identity"], start: true) { processes in
            let identity = processes.sender("identity")
            _ = try await identity.health()
            let pid = try processes.pid(of: "identity")
            let before = try Self.residentMiB(pid)
            let port = try #require(Int(processes.configuration.services["identity"]!.events.split(separator: ":").last ?? ""))
            // libzmq's own SUB socket keeps its subscriptions in a recursive trie and cannot
            // hold this one; an attacker's hand-written client does not care.
            let closed = try await blocking {
                let peer = try RawZMTPPeer(loopbackPort: port, socketType: "SUB")
                let sent = try peer.sendMessage([1] + [UInt8](repeating: UInt8(ascii: "i"), count: 2 << 20))
                return try !sent || peer.isClosedByPeer(within: 20_000)
            }
            #expect(closed, "the publisher drops a peer that subscribes with 2 MiB")
            #expect(try await identity.health().service == "identity", "and goes on serving")
            let after = try Self.residentMiB(pid)
            #expect(after < before + Self.slack, "RSS \(before) → \(after) MiB")
        }
    }

    @Test func aThousandReplayRequestsFromAClientThatNeverReadsCostBoundedMemory() async throws {
        try await ServiceProcesses.with(["identity"], start: true) { processes in
            let identity = processes.sender("identity")
            // About 1.5 MB of log, so that every reply is large.
            try await Self.createCustomers(3_000, through: processes)
            let pid = try processes.pid(of: "identity")
            let before = try Self.residentMiB(pid)
            var peak = before
            let replay = processes.configuration.services["identity"]!.replay
            let request = try ContractCoding.encode(ReplayRequest(source: "identity", after: 0))
            // The client sends its requests and stays connected, never reading, until told to leave.
            let leave = DispatchSemaphore(value: 0)
            async let silentClient: Void = blocking { [context = processes.context] in
                let socket = try ZMQSocket(context: context, type: .dealer, lingerMilliseconds: 0)
                try socket.setReceiveHighWaterMark(1)
                try socket.setReceiveBuffer(bytes: 4096)
                try socket.connect(replay)
                for _ in 0..<1_000 { try socket.send([request]) }
                leave.wait()
            }
            try await eventually("identity has answered or refused all 1,000 requests", timeout: .seconds(120)) {
                let metrics = try await identity.call(GetMetrics()).text
                peak = max(peak, try Self.residentMiB(pid))
                return Self.value(of: #"omnibus_replay_served_total{service="identity"}"#, in: metrics)
                    + Self.value(of: #"omnibus_rejected_messages_total{service="identity",endpoint="replay",reason="rate_limited"}"#, in: metrics)
                    >= 1_000
            }
            let latency = try await Self.timed { _ = try await identity.health() }
            #expect(latency < .seconds(2), "another client's command took \(latency) while the silent client was connected")
            leave.signal()
            try await silentClient
            #expect(peak < Self.ceiling, "peak RSS \(peak) MiB")
            try await eventually("RSS back near \(before) MiB") { try Self.residentMiB(pid) < before + Self.slack }
        }
    }

    @Test func tenThousandOversizedFieldsAreRefusedWithoutKeepingMemory() async throws {
        try await ServiceProcesses.with(["identity"], start: true) { processes in
            let identity = processes.sender("identity")
            let customer = try await identity.call(
                ResolveIdentifier(identifier: IdentifierInput(.email, "big@example.com"), createIfUnknown: true))
            let pid = try processes.pid(of: "identity")
            let before = try Self.residentMiB(pid)
            let huge = "e" + String(repeating: "\u{301}", count: 5_000)  // one character, 10 KB
            let refused = try await CommandClient.withClient(
                endpoint: processes.configuration.services["identity"]!.commands, context: processes.context
            ) { client in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<50 {
                        group.addTask {
                            var refused = 0
                            for index in stride(from: worker, to: 10_000, by: 50) {
                                let update = UpdateProfile(customerId: customer.customerId, displayName: huge + "\(index)")
                                if try await client.reply(to: update, channel: "app", timeout: .seconds(30)).error?.code == .invalidArgument {
                                    refused += 1
                                }
                            }
                            return refused
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            #expect(refused == 10_000)
            let during = try Self.residentMiB(pid)
            #expect(during < Self.ceiling, "RSS \(during) MiB")
            #expect(try await identity.call(GetProfile(customerId: customer.customerId)).displayName == nil, "nothing was stored")
            try await eventually("RSS back near \(before) MiB") { try Self.residentMiB(pid) < before + Self.slack }
        }
    }

    // MARK: helpers

    /// The resident set of process `pid`, in MiB, from /proc.
    static func residentMiB(_ pid: Int32) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kilobytes = try #require(Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes / 1024
    }

    /// The value of one sample line of a Prometheus exposition (0 when absent).
    static func value(of sample: String, in exposition: String) -> Double {
        exposition.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
            .flatMap { Double($0.dropFirst(sample.count + 1)) } ?? 0
    }

    static func timed(_ body: () async throws -> Void) async throws -> Duration {
        let start = ContinuousClock.now
        try await body()
        return ContinuousClock.now - start
    }

    static func createCustomers(_ count: Int, through processes: ServiceProcesses) async throws {
        try await CommandClient.withClient(endpoint: processes.configuration.services["identity"]!.commands,
                                           context: processes.context) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<20 {
                    group.addTask {
                        for index in stride(from: worker, to: count, by: 20) {
                            _ = try await client.send(ResolveIdentifier(
                                identifier: IdentifierInput(.email, "filler-\(index)@example.com"), createIfUnknown: true), channel: "app")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
