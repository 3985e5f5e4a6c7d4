import Foundation
import OmnibusBus
import OmnibusTestSupport
import Testing

@Suite("CURVE keys and encryption", .timeLimit(.minutes(1)))
struct CurveTests {
    @Test func generatedKeysAreZ85AndConsistent() throws {
        #expect(ZMQContext.has("curve"))
        let keys = try CurveKeyPair.generate()
        #expect(keys.publicKey.utf8.count == 40)
        #expect(keys.secretKey.utf8.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecretKey: keys.secretKey) == keys.publicKey)
        #expect(try CurveKeyPair.generate() != keys)
        #expect(throws: ZMQError.self) { try CurveKeyPair.publicKey(forSecretKey: "too short") }
    }

    @Test func clientWithServerKeyTalksAndClientWithWrongKeyDoesNot() async throws {
        let (good, bad) = try await blocking {
            let context = try ZMQContext()
            let serverKeys = try CurveKeyPair.generate()
            let router = try ZMQSocket(context: context, type: .router)
            try router.setCurveServer(secretKey: serverKeys.secretKey)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint

            let impostor = try ZMQSocket(context: context, type: .dealer)
            try impostor.setCurveClient(serverPublicKey: try CurveKeyPair.generate().publicKey, keys: try CurveKeyPair.generate())
            try impostor.connect(endpoint)
            try impostor.send(["from impostor"], wait: false)

            let client = try ZMQSocket(context: context, type: .dealer)
            try client.setCurveClient(serverPublicKey: serverKeys.publicKey, keys: try CurveKeyPair.generate())
            try client.connect(endpoint)
            try client.send(["from client"])
            var bodies: [String] = []
            // Collect what arrives until the genuine client's message is in.
            while !bodies.contains("from client"), try router.waitForInput(timeoutMilliseconds: 5000), let frames = try router.receive() {
                bodies.append(String(decoding: frames.last ?? Data(), as: UTF8.self))
            }
            // The impostor had as long as the client; give it a little longer still.
            while try router.waitForInput(timeoutMilliseconds: 300), let frames = try router.receive() {
                bodies.append(String(decoding: frames.last ?? Data(), as: UTF8.self))
            }
            return (bodies.contains("from client"), bodies.contains("from impostor"))
        }
        #expect(good)
        #expect(!bad)
    }
}
