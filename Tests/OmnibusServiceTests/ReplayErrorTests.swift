import Foundation
import OmnibusBus
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// Every way a replay request can be refused gets the code docs/PROTOCOL.md §3 lists, and
/// an error header that echoes the request's `after` when it could be read.
@Suite("Replay: refused requests")
struct ReplayErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let body: String
        let code: ErrorCode
        let after: Int64
    }

    static let cases: [Case] = [
        Case(testDescription: "not JSON", body: "{source", code: .invalidRequest, after: -1),
        Case(testDescription: "after missing", body: #"{"source":"alpha"}"#, code: .invalidRequest, after: -1),
        Case(testDescription: "another source", body: #"{"source":"omega","after":0}"#, code: .notFound, after: 0),
        Case(testDescription: "negative after", body: #"{"source":"alpha","after":-3}"#, code: .invalidArgument, after: -3),
        Case(testDescription: "zero limit", body: #"{"source":"alpha","after":0,"limit":0}"#, code: .invalidArgument, after: 0),
        Case(testDescription: "after beyond the head", body: #"{"source":"alpha","after":99}"#, code: .outOfRange, after: 99),
        Case(testDescription: "too large", body: #"{"source":"alpha","after":0,"pad":""# + String(repeating: "x", count: 70_000) + #""}"#,
             code: .tooLarge, after: -1),
    ]

    @Test(arguments: cases)
    func refusedWithItsCode(_ example: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            try Fixture.append(3, to: producer)
            let frames = try await Fixture.replay(Data(example.body.utf8), at: producer.endpoints.replay, context: context)
            let header = try ContractCoding.decode(ReplayReplyHeader.self, from: try #require(frames.first))
            #expect(frames.count == 1, "no event frames follow an error header")
            #expect(header.error?.code == example.code, "\(header.error?.message ?? "no error")")
            #expect(header.after == example.after)
            #expect(header.head == 3 && header.count == 0)
        }
    }
}
