import Foundation
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Bus policy and key folders")
struct BusSecurityTests {
    static let shippedPolicy = SuiteConfigurationTests.repositoryRoot.appendingPathComponent("deploy/security/policy.json").path

    @Test("the shipped policy: prices from the back office only, the channel from the key, erasure by ops")
    func shippedPolicyDecisions() throws {
        let policy = try BusPolicy.load(path: Self.shippedPolicy)
        /// The channel the command would run as ("" for none), or nil when it is refused.
        func channel(_ principal: String, _ command: String, _ requested: String? = nil, actingFor customer: String? = nil) -> String? {
            switch policy.authorize(principal, command: command, requestedChannel: requested, actingFor: customer) {
            case .success(let channel): channel ?? ""
            case .failure: nil
            }
        }
        #expect(channel("web", UpsertProduct.name) == nil)
        #expect(channel("backoffice", UpsertProduct.name) == "backoffice")
        #expect(channel("store", SetStock.name, "backoffice") == nil, "a channel cannot claim another")
        #expect(channel("store", SetStock.name, "store") == "store")
        #expect(channel("app", AddToCart.name) == "app", "the key's channel fills in a missing one")
        // The gateway gets the rights of the channel it acts for, no more.
        #expect(channel("gateway", AddToCart.name, "web") == "web")
        #expect(channel("gateway", UpsertProduct.name, "web") == nil)
        #expect(channel("gateway", UpsertProduct.name, "backoffice") == "backoffice")
        #expect(channel("gateway", AddToCart.name, "nobody") == nil)
        #expect(channel("gateway", AddToCart.name) == nil, "the gateway names whom it acts for")
        // A signed-in customer's own data: through a gateway acting for that customer only.
        #expect(channel("gateway", GetProfile.name, "web") == nil)
        #expect(channel("gateway", GetProfile.name, "web", actingFor: "cus_lea") == "web")
        #expect(channel("gateway", GetPurchaseHistory.name, "app", actingFor: "cus_lea") == "app")
        #expect(channel("gateway", UpsertProduct.name, "web", actingFor: "cus_lea") == nil, "acting for a customer adds no staff right")
        #expect(channel("gateway", AdvanceOrder.name, "app", actingFor: "cus_lea") == nil)
        #expect(channel("web", GetProfile.name, actingFor: "cus_lea") == nil, "a channel's own key vouches for no customer")
        #expect(channel("ops", GetProfile.name, actingFor: "cus_lea") == nil)
        // Services keep the channel the work started on; they call only what they need.
        #expect(channel("orders", ReserveCoupon.name, "web") == "web")
        #expect(channel("orders", EraseCustomer.name) == nil)
        for principal in ["app", "web", "chat", "store", "call_center", "backoffice", "gateway", "identity", "orders"] {
            #expect(channel(principal, EraseCustomer.name) == nil, "\(principal) erases")
            #expect(channel(principal, MergeCustomers.name) == nil, "\(principal) merges")
        }
        #expect(channel("ops", EraseCustomer.name) == "")
        #expect(channel("stranger", GetCart.name) == nil)
        #expect(policy.mayRead("store", source: "identity"))
        #expect(!policy.mayRead("app", source: "identity"))
        #expect(!policy.mayRead("stranger", source: "orders"))
    }

    @Test("a gateway may act only for principals of the policy that are not gateways")
    func gatewayActsForKnownPrincipals() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("policy.json")
        try Data(#"{"principals": {"gw": {"kind": "gateway", "commands": [], "reads": [], "actsFor": ["ghost"]}}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { try BusPolicy.load(path: path) }
    }

    @Test("keys: secret files readable by the owner only, never overwritten, checked against the allow-list")
    func keyFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("keys")
        let generate = { let pair = try CurveKeyPair.generate(); return (pair.publicKey, pair.secretKey) }
        let folder = try KeyFolder.create(at: path, principals: ["identity", "ops"], generate: generate)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path + "/ops.key")[.posixPermissions] as? NSNumber)
        #expect(mode.intValue == 0o600)
        let secret = try KeyFolder.load(path).secretKey(of: "ops")
        #expect(try CurveKeyPair.publicKey(forSecretKey: secret) == folder.publicKeys["ops"])
        #expect(folder.principal(ofPublicKey: folder.publicKeys["identity"]!) == "identity")
        #expect(throws: ConfigurationError.self) { try KeyFolder.create(at: path, principals: ["ops"], generate: generate) }

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path + "/ops.key")
        #expect(throws: ConfigurationError.self) { try KeyFolder.load(path).secretKey(of: "ops") }
        #expect(throws: ConfigurationError.self) { try KeyFolder.load(path).secretKey(of: "nobody") }

        // A configuration naming the folder resolves it beside itself and gives each process its keys.
        let configuration = SuiteConfiguration(
            services: ["identity": .loopback(basePort: 9301)], security: SecuritySettings(keys: "keys", policy: Self.shippedPolicy))
        try JSONEncoder().encode(configuration).write(to: URL(fileURLWithPath: directory.file("omnibus.json")))
        let loaded = try SuiteConfiguration.load(path: directory.file("omnibus.json"))
        #expect(loaded.security?.keys == path)
        let curve = try #require(try loaded.curve(as: "identity"))
        #expect(curve.keys.publicKey == folder.publicKeys["identity"])
        #expect(curve.serverKeys["tcp://127.0.0.1:9302"] == folder.publicKeys["identity"])
    }

    @Test("a secured context never connects in plaintext to an endpoint whose key it does not know")
    func unknownServerKeyIsRefused() async throws {
        let context = try ZMQContext(curve: CurveSecurity(keys: try CurveKeyPair.generate(), serverKeys: [:]))
        let refused = try await blocking {
            let socket = try ZMQSocket(context: context, type: .dealer, lingerMilliseconds: 0)
            do {
                try socket.connect("tcp://127.0.0.1:9")
                return false
            } catch let error as ZMQError {
                return error.code == EACCES
            }
        }
        #expect(refused)
    }
}
