import Foundation
import GRDB
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

@Suite("Dead letters: parked with a reason, never blocking", .timeLimit(.minutes(2)))
struct DeadLetterTests {
    struct Mystery: Codable, Sendable {
        var what: String
    }

    @Test func undecodableUnknownAndFailingEventsAreParkedAndTheRestApplied() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        let producer = try await Fixture.producer(in: directory, context: context)
        let consumer = try await Fixture.consumer(
            in: directory, context: context, sources: [producer.asSource],
            onNote: { note in
                if note.data.text == "explode" { throw OmnibusError(.invalidArgument, "cannot take explosive notes") }
            })
        try producer.runtime.store.append([
            PendingEvent(type: Note.type, data: Note(index: 0, text: "fine")),
            PendingEvent(type: Note.type, schemaVersion: 2, data: Note(index: 1, text: "from the future")),
            PendingEvent(type: "mystery.happened", data: Mystery(what: "?")),
            PendingEvent(type: Note.type, data: Note(index: 3, text: "explode")),
            PendingEvent(type: Note.type, data: Mystery(what: "not a note")),
            PendingEvent(type: Note.type, data: Note(index: 5, text: "fine too")),
        ])
        try await eventually("all six handled") { consumer.runtime.subscriber?.progress["alpha"]?.applied == 6 }

        let parked = try await consumer.runtime.store.database.pool.read { db in
            try DeadLetter.order(Column("sequence")).fetchAll(db)
        }
        #expect(parked.map(\.sequence) == [2, 3, 4, 5])
        #expect(parked[0].reason.contains("schema version 2"))
        #expect(parked[1].reason.contains("unknown event type alpha.mystery.happened"))
        #expect(parked[2].reason.contains("cannot take explosive notes"))
        #expect(parked[3].reason.contains("handler failed"))
        #expect(try Fixture.appliedNotes(consumer).map { $0[0] } == ["1", "6"], "events behind the bad ones were applied")
        let stored = try #require(parked.first)
        let envelope = try ContractCoding.decode(EventHeader.self, from: stored.envelope)
        #expect(envelope.id == stored.eventId, "the envelope is kept as received")
        try await consumer.stop()
        try await producer.stop()
    }
}
