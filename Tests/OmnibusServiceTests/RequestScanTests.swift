import Foundation
import OmnibusBus
@testable import OmnibusClient
import OmnibusContracts
@testable import OmnibusService
import OmnibusTestSupport
import Testing

/// The command server reads a request's name with a byte scan to decode it once with its
/// command's type; whatever the scan makes of a request, the reply must be the one reading
/// the header first gives.
@Suite("Command requests: the fast path and the careful one agree")
struct RequestScanTests {
    @Test(arguments: [
        (#"{"id":"a","command":"alpha.add_notes","data":{}}"#, "alpha.add_notes"),
        (#"{"command":"alpha.add_notes","id":"a","data":{}}"#, "alpha.add_notes"),
        (#"{"id":"a", "command" : "alpha.add_notes","data":{}}"#, nil),
        (#"{"id":"a","command":"alpha.add\u005fnotes","data":{}}"#, nil),
        (#"{"id":"a","data":{}}"#, nil),
        ("not json", nil),
    ] as [(String, String?)])
    func scanReadsPlainNamesAndLeavesTheRestToTheDecoder(body: String, name: String?) {
        #expect(RequestScan.commandName(in: Data(body.utf8)) == name)
    }

    @Test func repliesAreTheSameWhicheverPathARequestTakes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let context = try ZMQContext()
        try await Fixture.withProducer(in: directory, context: context) { producer in
            let endpoint = producer.endpoints.commands
            // Each pair: the compact form the scan reads, and a spaced one it leaves to the decoder.
            let pairs: [(String, String)] = [
                (#"{"id":"p1","command":"alpha.add_notes","data":{"count":1,"text":"x"}}"#,
                 #"{ "id" : "q1", "command" : "alpha.add_notes", "data" : { "count" : 1, "text" : "x" } }"#),
                (#"{"id":"p2","command":"alpha.add_notes","data":{"count":"many","text":"x"}}"#,
                 #"{ "id" : "q2", "command" : "alpha.add_notes", "data" : { "count" : "many", "text" : "x" } }"#),
                (#"{"id":"p3","command":"alpha.add_notes","version":9,"data":{"count":1,"text":"x"}}"#,
                 #"{ "id" : "q3", "command" : "alpha.add_notes", "version" : 9, "data" : { "count" : 1, "text" : "x" } }"#),
                (#"{"id":"p4","command":"alpha.add_notes","data":{"command":"alpha.nope","count":1,"text":"x"}}"#,
                 #"{ "id" : "q4", "data" : { "command" : "alpha.nope", "count" : 1, "text" : "x" }, "command" : "alpha.add_notes" }"#),
                (#"{"id":"p5","command":"alpha.nope","data":{}}"#, #"{ "id" : "q5", "command" : "alpha.nope", "data" : {} }"#),
                // The scan meets a known name inside data first; the request is for another command.
                (#"{"id":"p6","data":{"command":"alpha.add_notes","count":1,"text":"x"},"command":"alpha.nope"}"#,
                 #"{ "id" : "q6", "data" : { "command" : "alpha.add_notes", "count" : 1, "text" : "x" }, "command" : "alpha.nope" }"#),
            ]
            for (compact, spaced) in pairs {
                let (fast, careful) = try await blocking { () -> (CommandReply<JSONValue>, CommandReply<JSONValue>) in
                    let client = try BlockingCommandClient(context: context, endpoint: endpoint)
                    func send(_ text: String) throws -> CommandReply<JSONValue> {
                        let frames = try client.sendRaw([Data(text.utf8)])
                        return try ContractCoding.decode(CommandReply<JSONValue>.self, from: try #require(frames?.last))
                    }
                    return (try send(compact), try send(spaced))
                }
                #expect(fast.ok == careful.ok, "\(compact)")
                #expect(fast.error?.code == careful.error?.code, "\(compact)")
                #expect(fast.error?.message == careful.error?.message, "\(compact)")
                #expect(fast.requestId.dropFirst() == careful.requestId.dropFirst())
            }
        }
    }

    @Test(arguments: [
        (#"{"requestId":"r-1","ok":true,"data":{}}"#, "r-1"),
        (#"{"ok":true,"requestId":"r-2"}"#, "r-2"),
        (#"{"requestId":"r\"3","ok":true}"#, "r\"3"),
        ("nonsense", nil),
    ] as [(String, String?)])
    func clientReadsTheRequestIdOfAnyReply(reply: String, id: String?) {
        #expect(CommandClient.requestId(of: Data(reply.utf8)) == id)
    }
}
