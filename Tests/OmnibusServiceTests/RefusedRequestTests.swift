import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
import Testing

/// A request refused before it is applied still gets a reply a client can match: the
/// request id echoed whenever it can be read (docs/PROTOCOL.md §5), and a reason.
@Suite("Refused requests name their request id")
struct RefusedRequestTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let body: String
        let requestId: String
        let code: ErrorCode
        var messageContains: String?
    }

    static let cases: [Case] = [
        Case(testDescription: "too large", body: #"{"id":"big-1","command":"alpha.add_notes","data":{"count":1,"text":""#
             + String(repeating: "x", count: 1 << 20) + #""}}"#, requestId: "big-1", code: .tooLarge),
        Case(testDescription: "version of the wrong type", body: #"{"id":"v-1","command":"alpha.add_notes","version":"one","data":{}}"#,
             requestId: "v-1", code: .invalidRequest),
        Case(testDescription: "data not an object", body: #"{"id":"d-1","command":"alpha.add_notes","data":[1,2]}"#,
             requestId: "d-1", code: .invalidRequest, messageContains: "must be a JSON object"),
        Case(testDescription: "health with data not an object", body: #"{"id":"h-1","command":"service.health","data":5}"#,
             requestId: "h-1", code: .invalidRequest),
        Case(testDescription: "missing data", body: #"{"id":"m-1","command":"alpha.add_notes"}"#, requestId: "m-1", code: .invalidRequest),
        Case(testDescription: "a fraction for a whole number", body: #"{"id":"f-1","command":"alpha.add_notes","data":{"count":1.5,"text":""}}"#,
             requestId: "f-1", code: .invalidArgument, messageContains: "a fraction where a whole number is expected"),
        Case(testDescription: "id too long to be valid", body: #"{"id":""# + String(repeating: "i", count: 129) + #"","command":"x"}"#,
             requestId: "", code: .invalidRequest),
        Case(testDescription: "not JSON", body: "{id: 1", requestId: "", code: .invalidRequest),
    ]

    @Test(arguments: cases)
    func refusedRequestsAnswerWithTheirId(_ example: Case) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            let endpoint = producer.endpoints.commands
            let body = Data(example.body.utf8)
            let frames = try await blocking { try BlockingCommandClient(context: context, endpoint: endpoint).sendRaw([body]) }
            let reply = try ContractCoding.decode(CommandReply<Empty>.self, from: try #require(frames?.last))
            #expect(!reply.ok)
            #expect(reply.requestId == example.requestId)
            #expect(reply.error?.code == example.code, "\(reply.error?.message ?? "")")
            if let expected = example.messageContains {
                #expect(reply.error?.message.contains(expected) == true, "\(reply.error?.message ?? "")")
            }
            #expect(try producer.runtime.store.head() == 0)
        }
    }
}
