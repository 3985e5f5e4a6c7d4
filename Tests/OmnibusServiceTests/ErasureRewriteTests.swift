import Foundation
import GRDB
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Erasure rewrites a customer's logged events; it must change only what it redacts.
@Suite struct ErasureRewriteTests {
    struct Parcel: EventContract, Equatable {
        static let source = "alpha"
        static let type = "parcel.sent"
        var trackingNumber: Int64
        var weightKilograms: Double
        var recipient: String?
    }

    @Test func redactingAnEventKeepsEveryOtherFieldExactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = EventStore(source: "alpha", database: try ServiceDatabase(path: directory.file("alpha.sqlite")))
        // 2^53 + 1: the first integer a Double cannot hold.
        let sent = Parcel(trackingNumber: 9_007_199_254_740_993, weightKilograms: 1.25, recipient: "Lea Rossi")
        try store.append([PendingEvent(sent, customerId: "cus_a")])

        let rewritten = try store.database.pool.write { db in
            try Erasure.redactEvents(of: ["cus_a"], in: db) { _, data in
                guard case .object(var fields) = data else { return nil }
                fields["recipient"] = .null
                return .object(fields)
            }
        }

        #expect(rewritten == 1)
        let envelope: Data = try #require(try store.database.pool.read { db in
            try Data.fetchOne(db, sql: "SELECT envelope FROM outbox WHERE sequence = 1")
        })
        let stored = try ContractCoding.decode(EventEnvelope<Parcel>.self, from: envelope).data
        #expect(stored == Parcel(trackingNumber: 9_007_199_254_740_993, weightKilograms: 1.25, recipient: nil))
    }

    @Test func jsonValuesKeepLargeIntegersAndCompareNumbersByValue() throws {
        let text = #"{"big":9007199254740993,"one":1,"half":0.5}"#
        let value = try ContractCoding.decode(JSONValue.self, from: Data(text.utf8))
        #expect(value == .object(["big": .integer(9_007_199_254_740_993), "one": .number(1), "half": .number(0.5)]))
        #expect(try ContractCoding.decode(JSONValue.self, from: ContractCoding.encode(value)) == value)
        #expect(JSONValue.integer(9_007_199_254_740_993) != .number(9_007_199_254_740_992))
        #expect(Set([JSONValue.integer(1), .number(1)]).count == 1)
    }
}

/// A parked event keeps its whole envelope; an erasure must not leave the customer's in it.
@Suite struct ErasureDeadLetterTests {
    @Test("recording an erasure drops the dead letters that name the erased customers, and only those")
    func erasureForgetsDeadLetters() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try ServiceDatabase(path: directory.file("alpha.sqlite")) { migrator in
            migrator.registerMigration("test-known-customers") { db in try KnownCustomers.createTables(in: db) }
        }
        let remaining = try database.pool.write { db in
            for (customer, email) in [("cus_gone", "gone@example.com"), ("cus_kept", "kept@example.com"), ("cus_merged", "merged@example.com")] {
                try db.execute(sql: """
                    INSERT INTO deadLetter (source, sequence, reason, envelope, recordedAt) VALUES ('identity', 1, 'unknown type', ?, 0)
                    """, arguments: [Data(#"{"customerId":"\#(customer)","data":{"value":"\#(email)"},"#.utf8)])  // not even valid JSON
            }
            try KnownCustomers.recordMerge("cus_merged", into: "cus_gone", in: db)
            _ = try KnownCustomers.recordErasure(IdentityEvent.CustomerErased(customerId: "cus_gone", erasedIds: ["cus_gone"]), in: db)
            return try String.fetchAll(db, sql: "SELECT CAST(envelope AS TEXT) FROM deadLetter")
        }
        #expect(remaining.count == 1)
        #expect(remaining.first?.contains("kept@example.com") == true)
    }
}
