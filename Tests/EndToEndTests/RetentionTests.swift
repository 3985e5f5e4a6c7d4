import Foundation
import GRDB
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Identity keeping 1 MiB of events: a notifications process stopped while identity's log
/// moves past what it had applied comes back through identity's snapshot. (By size, not by
/// age: the consumer that stays must never fall behind what is kept, however slow the machine.)
@Suite("Event retention: a subscriber away longer than the log is kept bootstraps from the snapshot")
struct RetentionTests {
    @Test("notifications stopped past identity's retained log ends identical, table by table, to one that never stopped")
    func bootstrapsFromSnapshot() async throws {
        try await ServiceProcesses.with(["identity", "notifications"]) { suite in
            // A second notifications: its own ports, data and configuration; the same identity.
            var second = suite.configuration
            second.services["notifications"] = ServiceEndpoints(
                events: "tcp://127.0.0.1:\(try freeLoopbackPort())", replay: "tcp://127.0.0.1:\(try freeLoopbackPort())",
                commands: "tcp://127.0.0.1:\(try freeLoopbackPort())")
            let secondConfig = suite.directory.file("omnibus-away.json")
            try JSONEncoder().encode(second).write(to: URL(fileURLWithPath: secondConfig))
            let awayData = suite.directory.file("data-away")
            let startAway = {
                try suite.start("notifications", instance: "away", config: secondConfig, data: awayData)
            }
            let away = CommandSender(endpoint: second.services["notifications"]!.commands, context: suite.context,
                                     timeoutMilliseconds: 30_000)
            let stayed = suite.sender("notifications")

            try suite.start("identity", arguments: ["--keep-events", "0", "--keep-events-mb", "1", "--trim-every", "1s"])
            try suite.start("notifications")
            try startAway()

            // Before: customers both consumers know.
            let ana = try await suite.resolve(.email, "ana@example.com", channel: "web")
            let ben = try await suite.resolve(.email, "ben@example.com", channel: "app")
            let carla = try await suite.resolve(.phone, "+49 170 1234567", channel: "store")
            _ = try await suite.identity.call(SetPreferences(customerId: ana, preferredChannel: .email), channel: "web")
            _ = try await suite.identity.call(SetConsent(customerId: ben, purpose: .marketing, channel: .email, granted: true), channel: "app")
            _ = try await suite.identity.call(UpdateProfile(customerId: carla, locale: "de-DE"), channel: "store")
            try await Self.caughtUp([stayed, away], with: suite.identity)
            let appliedBeforeStop = try #require(try await away.health().subscriptions["identity"]?.applied)
            try await suite.stop("away")

            // While it is away: a merge, an erasure, a new customer, changed settings.
            _ = try await suite.identity.call(MergeCustomers(survivorId: ana, mergedId: ben), channel: "call_center")
            _ = try await suite.identity.call(EraseCustomer(customerId: carla), channel: "call_center")
            let dora = try await suite.resolve(.email, "dora@example.com", channel: "web")
            _ = try await suite.identity.call(
                LinkIdentifier(customerId: dora, identifier: IdentifierInput(.phone, "+39 347 555 0199"), verified: true), channel: "web")
            _ = try await suite.identity.call(
                SetPreferences(customerId: dora, preferredChannel: .sms,
                               quietHours: QuietHours(start: "22:00", end: "07:00", timeZone: "Europe/Rome")), channel: "web")
            _ = try await suite.identity.call(SetConsent(customerId: dora, purpose: .marketing, channel: .sms, granted: true), channel: "web")
            _ = try await suite.identity.call(UpdateProfile(customerId: ana, locale: "pt-PT"), channel: "web")
            // More customers (about 800 bytes of events each) until the log has moved past what it had.
            var batch = 0
            try await eventually("identity's log no longer holds what the stopped consumer needs next", timeout: .seconds(120)) {
                let round = batch
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<200 {
                        group.addTask { _ = try await suite.resolve(.email, "shopper-\(round)-\(index)@example.com", channel: "web") }
                    }
                    try await group.waitForAll()
                }
                batch += 1
                let oldest = try await suite.identity.health().storage?.oldestSequence ?? 0
                return oldest > appliedBeforeStop + 1
            }

            try startAway()
            try await Self.caughtUp([stayed, away], with: suite.identity)
            let progress = try #require(try await away.health().subscriptions["identity"])
            #expect(progress.snapshotBootstraps == 1, "rebuilt once, from the snapshot")
            #expect(progress.bootstrapping == false)
            #expect(try await stayed.health().subscriptions["identity"]?.snapshotBootstraps == 0)
            #expect(try suite.log(of: "away").contains("bootstrapped from the source's snapshot"))

            try await suite.stop("away")
            try await suite.stop("notifications")
            let stayedTables = try Self.customerTables(at: suite.directory.file("data/notifications.sqlite"))
            let awayTables = try Self.customerTables(at: "\(awayData)/notifications.sqlite")
            #expect(stayedTables["customerAlias"] == [[ben, ana]], "the merge is there")
            #expect(stayedTables["erasedCustomer"] == [[carla]], "the erasure is there")
            #expect(stayedTables["contactAddress"]?.contains { $0.last == "+393475550199" } == true, "Dora's phone is there")
            for (table, rows) in stayedTables {
                #expect(awayTables[table] == rows, "\(table): the consumer that was away has what the one that stayed has")
            }
        }
    }

    static func caughtUp(_ consumers: [CommandSender], with identity: CommandSender) async throws {
        let head = try await identity.health().head
        try await eventually("every consumer applied identity's events through \(head)") {
            for consumer in consumers {
                guard try await consumer.health().subscriptions["identity"]?.applied == head else { return false }
            }
            return true
        }
    }

    /// What notifications keeps of identity's customers, each row's fields as text.
    static func customerTables(at path: String) throws -> [String: [[String?]]] {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        let queries = [
            "customerAlias": "SELECT mergedId, survivorId FROM customerAlias ORDER BY mergedId",
            "erasedCustomer": "SELECT id FROM erasedCustomer ORDER BY id",
            "contact": "SELECT customerId, locale, preferredChannel, quietHours FROM contact ORDER BY customerId",
            "contactConsent": "SELECT customerId, purpose, channel, granted FROM contactConsent ORDER BY customerId, purpose, channel",
            "contactAddress": "SELECT customerId, kind, value FROM contactAddress ORDER BY kind, value",
        ]
        return try database.read { db in
            try queries.mapValues { sql in
                try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? nil : String.fromDatabaseValue($0) ?? $0.description } }
            }
        }
    }
}
