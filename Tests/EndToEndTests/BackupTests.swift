import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Synchronization
import Testing

/// `omnibus backup` while commands flow, `omnibus restore` into a fresh folder, the suite
/// started again from it.
@Suite("Backup and restore")
struct BackupTests {
    /// Customers and cart adds a client made, once acknowledged.
    final class Acknowledged: Sendable {
        private let state = Mutex<(customers: [(email: String, id: String)], cartAdds: [(customerId: String, requestId: String)])>(([], []))
        var customers: [(email: String, id: String)] { state.withLock { $0.customers } }
        var cartAdds: [(customerId: String, requestId: String)] { state.withLock { $0.cartAdds } }
        func customer(_ email: String, _ id: String) { state.withLock { $0.customers.append((email, id)) } }
        func cartAdd(_ customerId: String, _ requestId: String) { state.withLock { $0.cartAdds.append((customerId, requestId)) } }
    }

    /// Resolves a customer and adds a line to their cart, recording both once acknowledged.
    static func shop(_ index: Int, prefix: String, in suite: ServiceProcesses, into record: Acknowledged) async throws {
        let email = "\(prefix)-\(index)@example.com"
        let customerId = try await suite.resolve(.email, email, channel: "web")
        record.customer(email, customerId)
        let requestId = UUID().uuidString
        _ = try await suite.orders.call(AddToCart(customerId: customerId, sku: "shoe-aria-red-38", quantity: 1), channel: "web", id: requestId)
        record.cartAdd(customerId, requestId)
    }

    @Test("backup during load → restore into a fresh folder → everything acknowledged before the backup is there, what came after is reported, subscribers re-sync")
    func backupDuringLoadAndRestore() async throws {
        try await ServiceProcesses.with(["identity", "orders"], start: true) { suite in
            let before = Acknowledged()
            for index in 0..<20 { try await Self.shop(index, prefix: "before", in: suite, into: before) }
            try await suite.ordersCaughtUp()

            // Load goes on while every service copies its database.
            let during = Acknowledged()
            let load = Task {
                var index = 0
                while !Task.isCancelled {
                    try await Self.shop(index, prefix: "during", in: suite, into: during)
                    index += 1
                }
            }
            let backupFolder = suite.directory.file("backup")
            let backup = try await OpsToolTests.omnibus(["backup", backupFolder, "--config", suite.configPath], in: suite.directory)
            load.cancel()
            _ = await load.result
            #expect(backup.exit == .exited(0), "\(backup.output)")
            #expect(backup.output.contains("identity: \(backupFolder)/identity.sqlite"), "\(backup.output)")

            let after = Acknowledged()
            for index in 0..<10 { try await Self.shop(index, prefix: "after", in: suite, into: after) }
            try await suite.stop("orders")
            try await suite.stop("identity")

            let restoredData = suite.directory.file("restored")
            let restore = try await OpsToolTests.omnibus(
                ["restore", backupFolder, "--data", restoredData, "--previous", suite.directory.file("data")], in: suite.directory)
            #expect(restore.exit == .exited(0), "\(restore.output)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(restoredData)/restore-report.json")))
            let lostRequests = Self.requestIds(in: report, service: "orders")
            #expect(after.cartAdds.allSatisfy { lostRequests.contains($0.requestId) },
                    "every cart add acknowledged after the backup is reported as not restored")
            #expect(before.cartAdds.allSatisfy { !lostRequests.contains($0.requestId) })

            let again = try await OpsToolTests.omnibus(["restore", backupFolder, "--data", suite.directory.file("restored-again")],
                                                       in: suite.directory)
            #expect(Self.epoch(of: "identity", in: again.output) != nil)
            #expect(Self.epoch(of: "identity", in: again.output) != Self.epoch(of: "identity", in: restore.output),
                    "each restore of one backup is a new epoch")

            try suite.start("identity", data: restoredData)
            try suite.start("orders", data: restoredData)
            for (email, id) in before.customers {
                #expect(try await suite.resolve(.email, email, channel: "web") == id, "\(email) is the same customer after the restore")
            }
            for (customerId, _) in before.cartAdds {
                #expect(try await suite.cart(customerId, channel: "web").lines.map(\.quantity) == [1], "the cart line is there, once")
            }
            try await suite.ordersCaughtUp()
            #expect(try suite.log(of: "orders").contains("source was restored from a backup"), "orders noticed identity's new log epoch")

            // The restored identity hands out sequence numbers again; orders applies them as the new events they are.
            let ana = try await suite.resolve(.email, "ana@example.com", channel: "app")
            let bea = try await suite.resolve(.email, "bea@example.com", channel: "web")
            try await suite.add(ana, "shoe-aria-red-38", 1, channel: "app")
            try await suite.add(bea, "shoe-aria-red-38", 2, channel: "web")
            _ = try await suite.identity.call(MergeCustomers(survivorId: bea, mergedId: ana), channel: "call_center")
            try await suite.ordersCaughtUp()
            #expect(try await suite.cart(bea, channel: "web").lines.map(\.quantity) == [3], "the merge moved Ana's line once")
            #expect(try await suite.orders.health().deadLetters == 0)
        }
    }

    /// The new log epoch `omnibus restore` printed for `service`.
    static func epoch(of service: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("\(service): restored") }?
            .split(separator: " ").first { $0.hasPrefix("epo_") }.map { String($0.prefix { $0 != ";" }) }
    }

    static func requestIds(in report: Any, service: String) -> Set<String> {
        let services = (report as? [String: Any])?["services"] as? [String: Any]
        let commands = (services?[service] as? [String: Any])?["commandsAfterBackup"] as? [[String: Any]] ?? []
        return Set(commands.compactMap { $0["requestId"] as? String })
    }
}
