import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Command client", .timeLimit(.minutes(1)))
struct CommandClientTests {
    @Test func unansweredCommandTimesOutWithUnavailable() async throws {
        let error = try await blocking { () -> OmnibusError? in
            let context = try ZMQContext()
            // A ROUTER that takes requests and never answers: a service that hangs.
            let silent = try ZMQSocket(context: context, type: .router)
            try silent.bind("tcp://127.0.0.1:*")
            let client = try BlockingCommandClient(context: context, endpoint: try silent.lastEndpoint, timeoutMilliseconds: 200)
            do {
                _ = try client.send(CommandRequest(id: "t1", command: AddNotes.name, data: Empty()), expecting: Empty.self)
                return nil
            } catch let error as OmnibusError {
                #expect(try silent.receive(wait: false) != nil, "the request did reach the service")
                return error
            }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("retry with the same id") == true)
    }

    @Test func lateReplyToAnEarlierRequestIsNotTakenForTheNextOne() async throws {
        let (first, second) = try await blocking { () -> (OmnibusError?, CommandReply<Empty>?) in
            let context = try ZMQContext()
            let router = try ZMQSocket(context: context, type: .router)
            try router.bind("tcp://127.0.0.1:*")
            let client = try BlockingCommandClient(context: context, endpoint: try router.lastEndpoint, timeoutMilliseconds: 300)
            var timedOut: OmnibusError?
            do {
                _ = try client.send(CommandRequest(id: "old", command: "c", data: Empty()), expecting: Empty.self)
            } catch let error as OmnibusError {
                timedOut = error
            }
            guard let old = try router.receive() else { return (timedOut, nil) }
            // Answer the old request late, then ask something new and answer that too.
            try router.send([old[0], try ContractCoding.encode(CommandReply(requestId: "old", data: Empty()))])
            let newRequest = CommandRequest(id: "new", command: "c", data: Empty())
            try router.send([old[0], try ContractCoding.encode(CommandReply<Empty>(requestId: "new", error: OmnibusError(.notFound, "x")))])
            let reply = try client.send(newRequest, expecting: Empty.self)
            return (timedOut, reply)
        }
        #expect(first?.code == .unavailable)
        #expect(second?.requestId == "new")
        #expect(second?.error?.code == .notFound)
    }
}
