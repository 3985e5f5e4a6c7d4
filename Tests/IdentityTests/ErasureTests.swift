import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Identity: erasure")
struct ErasureTests {
    static let name = "Zelda Quixote-Erasable"
    static let email = "zelda.quixote@erasure-test.example"
    static let phone = "+4915112349876"

    @Test("after erase the customer's name, e-mail and phone are in no file of the database, WAL included")
    func erasedFromEveryFile() async throws {
        let identity = try await IdentityHarness.start()
        let customer = try await identity.resolve(.email, Self.email, channel: "web").customerId
        let phoneOwner = try await identity.resolve(.phone, Self.phone, channel: "store").customerId
        let _ = try await identity.call(MergeCustomers(survivorId: customer, mergedId: phoneOwner))
        for suffix in ["", " Jr.", ""] {
            let _ = try await identity.call(UpdateProfile(customerId: customer, displayName: Self.name + suffix, locale: "de-DE"))
        }
        // Someone else's data must survive the erasure.
        let other = try await identity.resolve(.email, "keep.me@example.com").customerId

        let files = [identity.databasePath, identity.databasePath + "-wal", identity.databasePath + "-shm"]
        #expect(try Self.occurrences(in: files) == [Self.name, Self.email, Self.phone], "the test data must be on disk first")

        let outcome = try await identity.call(EraseCustomer(customerId: phoneOwner))
        #expect(outcome.customerId == customer)
        #expect(Set(outcome.erasedIds) == [customer, phoneOwner])

        try await eventually("the WAL is emptied after the erasure") { try await identity.health().pendingCompactions == 0 }
        #expect(try Self.occurrences(in: files) == [], "while running")

        // What the service tells the rest of the system, and what replay now serves.
        let erased = try identity.events(IdentityEvent.CustomerErased.type, as: IdentityEvent.CustomerErased.self)
        #expect(erased.map(\.data.customerId) == [customer])
        let linked = try identity.events(IdentityEvent.IdentifierLinked.type, as: IdentityEvent.IdentifierLinked.self)
        #expect(linked.filter { $0.customerId != other }.allSatisfy { $0.data.value == nil && $0.data.redacted == true })
        #expect(linked.first { $0.customerId == other }?.data.value == "keep.me@example.com")

        let profile = try await identity.profile(customer)
        #expect(profile.status == .erased && profile.identifiers.isEmpty && profile.displayName == nil)
        #expect(try await identity.resolve(.email, "keep.me@example.com").customerId == other)
        // The e-mail is free again: resolving it now starts a new, unrelated customer.
        #expect(try await identity.resolve(.email, Self.email).customerId != customer)

        // Erasing again is harmless and announces nothing new.
        let again = try await identity.call(EraseCustomer(customerId: customer))
        #expect(Set(again.erasedIds) == [customer, phoneOwner])
        #expect(try identity.events(IdentityEvent.CustomerErased.type, as: IdentityEvent.CustomerErased.self).count == 1)

        try await identity.service.stop()
        #expect(try Self.occurrences(in: files).filter { $0 != Self.email } == [], "after shutdown")
        identity.directory.remove()
    }

    /// Which of the erased values appear in the given files' bytes.
    static func occurrences(in files: [String]) throws -> [String] {
        let contents = files.compactMap { FileManager.default.contents(atPath: $0) }
        return [name, email, phone].filter { value in
            contents.contains { $0.range(of: Data(value.utf8)) != nil }
        }
    }
}
