import Foundation
import GRDB
import OmnibusTestSupport
import Testing

@Suite("Crashes of real processes lose nothing", .timeLimit(.minutes(5)))
struct CrashRecoveryTests {
    @Test func consumerKilledMidStreamAppliesEveryEventExactlyOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = try ProbeCluster(directory: directory)
        let producer = try cluster.startProducer(["--generate", "10000", "--batch", "20", "--rate", "4000"])
        var consumer = try cluster.startConsumer()

        try await eventually("consumer applied some events") { cluster.receivedCount() >= 1000 }
        consumer.send(SIGKILL)
        #expect(try await consumer.waitForExit() == .signalled(SIGKILL))
        let appliedBeforeKill = cluster.receivedCount()

        consumer = try cluster.startConsumer(log: "consumer-restarted.log")
        try await eventually("consumer applied all 10,000", timeout: .seconds(90)) { cluster.receivedCount() >= 10_000 }
        // On a loaded machine the first consumer may have applied everything before the kill:
        // then the count holds at once, and a SIGTERM before the new process handles signals kills it.
        let restarted = consumer
        try await eventually("the restarted consumer runs") { restarted.log.contains("subscriber started") }

        let received = cluster.received()
        let produced = cluster.produced()
        #expect(produced.count == 10_000)
        #expect(received.count == 10_000, "applied \(appliedBeforeKill) before the kill; \(received.count) in all")
        #expect(received.map { $0["sequence"] as Int64 } == Array(1...10_000))
        #expect(received == produced, "every event applied once, byte for byte as produced")

        for process in [consumer, producer] { process.send(SIGTERM) }
        for process in [consumer, producer] {
            let exit = try await process.waitForExit()
            #expect(exit == .exited(0), "\(exit): \(process.log)")
        }
    }

    @Test func publisherKilledBetweenCommitAndSendPublishesAfterRestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cluster = try ProbeCluster(directory: directory)
        let consumer = try cluster.startConsumer()

        let crashing = try cluster.startProducer(["--generate", "500", "--crash-after-commit"], log: "producer-crash.log")
        #expect(try await crashing.waitForExit() == .signalled(SIGKILL), "\(crashing.log)")
        #expect(cluster.produced().count == 500, "the events were committed")
        #expect(cluster.receivedCount() == 0, "and none was sent")

        let producer = try cluster.startProducer(log: "producer-restarted.log")
        try await eventually("consumer received the 500 committed events") { cluster.receivedCount() >= 500 }

        let produced = cluster.produced()
        #expect(produced.count == 500, "no event was written again or given a second sequence")
        #expect(produced.map { $0["sequence"] as Int64 } == Array(1...500))
        #expect(cluster.received() == produced)
        for process in [consumer, producer] { process.send(SIGTERM) }
        #expect(try await consumer.waitForExit() == .exited(0))
        #expect(try await producer.waitForExit() == .exited(0))
    }
}
