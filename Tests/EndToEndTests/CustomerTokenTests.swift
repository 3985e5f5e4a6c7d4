import AsyncHTTPClient
import Foundation
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// Customer tokens: a front end that signed a customer in gets a token from the gateway that
/// acts for that customer only (docs/SECURITY.md, "Acting for a customer").
@Suite("Gateway: a signed-in customer's token acts for that customer only")
struct CustomerTokenTests {
    @Test("the customer's own profile, orders and view; another's → 403, another's order → 404; tampered or expired → 401")
    func actsForOneCustomer() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            let lea = try await Self.resolve("lea@example.com", suite)
            let max = try await Self.resolve("max@example.com", suite)
            let orders = suite.processes.sender("orders")
            _ = try await orders.call(AddToCart(customerId: max, sku: "socks-trio", quantity: 1), channel: "web")
            let maxOrder = try await orders.call(Checkout(customerId: max, fulfilment: .pickup(at: "berlin-mitte")), channel: "web").orderId
            _ = try await orders.call(AddToCart(customerId: lea, sku: "socks-trio", quantity: 1), channel: "web")
            let leaOrder = try await orders.call(Checkout(customerId: lea, fulfilment: .pickup(at: "berlin-mitte")), channel: "web").orderId

            // The web shop's server has signed Lea in; her token is for her.
            let session = try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(lea)"}"#, token: "dev-web-backend-token")
            #expect(session.status == 200, "\(session.body)")
            let token = try #require(session.envelope?["token"] as? String)
            #expect(session.envelope?["customerId"] as? String == lea && session.envelope?["channel"] as? String == "web")

            let own = try await suite.post(GetProfile.name, #"{"customerId":"\#(lea)"}"#, token: token)
            #expect(own.status == 200 && own.data?["customerId"] as? String == lea, "\(own.body)")
            let history = try await suite.post(GetPurchaseHistory.name, #"{"customerId":"\#(lea)"}"#, token: token)
            #expect(history.status == 200 && history.body.contains(leaOrder))
            #expect(try await suite.post(GetOrder.name, #"{"orderId":"\#(leaOrder)"}"#, token: token).status == 200)
            let added = try await suite.post(AddToCart.name, #"{"customerId":"\#(lea)","sku":"shoe-aria-red-38","quantity":1}"#, token: token)
            #expect(added.status == 200 && (added.data?["lines"] as? [[String: Any]])?.first?["channel"] as? String == "web")
            let view = try await suite.events("/v1/customers/\(lea)/view", token: token)
            let first = try #require(try await view.next())
            #expect(first.event == "view" && first.data.contains(leaOrder), "her own view streams")
            view.close()

            // Max's data is not hers to read or change, however she asks.
            let theirs = try await suite.post(GetProfile.name, #"{"customerId":"\#(max)"}"#, token: token)
            #expect(theirs.status == 403 && theirs.error?["code"] as? String == "forbidden")
            #expect(try await suite.post(GetPurchaseHistory.name, #"{"customerId":"\#(max)"}"#, token: token).status == 403)
            #expect(try await suite.post(AddToCart.name, #"{"customerId":"\#(max)","sku":"socks-trio","quantity":1}"#, token: token).status == 403)
            let byId = try await suite.post(GetOrder.name, #"{"orderId":"\#(maxOrder)"}"#, token: token)
            #expect(byId.status == 404 && !byId.body.contains(max), "another customer's order is answered as if it did not exist: \(byId.body)")
            #expect(try await suite.get("/v1/customers/\(max)/view", token: token).status == 403)
            #expect(try await suite.get("/v1/events", token: token).status == 403)
            #expect(try await suite.post(EraseCustomer.name, #"{"customerId":"\#(lea)"}"#, token: token).status == 403)
            #expect(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(max)"}"#, token: token).status == 403,
                    "a customer's token signs no one in")
            // The front end's own token still cannot read anyone's orders.
            #expect(try await suite.post(GetPurchaseHistory.name, #"{"customerId":"\#(lea)"}"#, token: "dev-web-token").status == 403)

            // Idempotency keys are the customer's own: Max's "k1" is not Lea's.
            let maxToken = try #require(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(max)"}"#,
                                                             token: "dev-app-backend-token").envelope?["token"] as? String)
            let leaAdd = try await suite.post(AddToCart.name, #"{"customerId":"\#(lea)","sku":"socks-trio","quantity":1}"#, token: token, idempotencyKey: "k1")
            let maxAdd = try await suite.post(AddToCart.name, #"{"customerId":"\#(max)","sku":"socks-trio","quantity":1}"#, token: maxToken, idempotencyKey: "k1")
            #expect(leaAdd.status == 200 && maxAdd.status == 200 && maxAdd.data?["customerId"] as? String == max, "\(maxAdd.body)")

            // A token changed by one character, or one past its lifetime, is no token.
            var tampered = Array(token)
            tampered[tampered.count / 2] = tampered[tampered.count / 2] == "a" ? "b" : "a"
            #expect(try await suite.post(GetProfile.name, #"{"customerId":"\#(lea)"}"#, token: String(tampered)).status == 401)
            let brief = try #require(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(lea)","lifetimeSeconds":1}"#,
                                                          token: "dev-web-backend-token").envelope?["token"] as? String)
            try await eventually("the one-second token expires", timeout: .seconds(10)) {
                try await suite.post(GetProfile.name, #"{"customerId":"\#(lea)"}"#, token: brief).status == 401
            }
            // Signing in needs a customer identity knows.
            #expect(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"cus_nobody"}"#, token: "dev-web-backend-token").status == 404)
            let gone = try await Self.resolve("gone@example.com", suite)
            _ = try await suite.processes.sender("identity").call(EraseCustomer(customerId: gone), channel: nil)
            #expect(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(gone)"}"#, token: "dev-web-backend-token").status == 404,
                    "nor one identity has erased")
            let fromBrowser = try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(lea)"}"#, token: "dev-web-token")
            #expect(fromBrowser.status == 403, "the shop's public token (in every browser) signs no one in: \(fromBrowser.body)")
            #expect(try await suite.post(path: "/v1/customer-sessions", #"{"customerId":"\#(lea)"}"#, token: "dev-store-token").status == 403,
                    "a channel without customers.sessions signs no one in")
        }
    }

    @Test("a public front end's token acts for an anonymous customer until they give an e-mail; then only their customer token does")
    func publicTokensActForAnonymousCustomersOnly() async throws {
        try await GatewaySuite.with(["identity", "orders", "coupons", "conversation"]) { suite in
            let device = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"web-7f3a"}}"#, token: "dev-web-token")
            let visitor = try #require(device.data?["customerId"] as? String)
            let cart = #"{"customerId":"\#(visitor)","sku":"socks-trio","quantity":1}"#
            #expect(try await suite.post(AddToCart.name, cart, token: "dev-web-token").status == 200, "an anonymous visitor's cart")

            // The visitor gives an e-mail at checkout (not verified yet, so the profile is still provisional).
            let link = #"{"customerId":"\#(visitor)","identifier":{"kind":"email","value":"noor@example.com"}}"#
            #expect(try await suite.post(LinkIdentifier.name, link, token: "dev-store-token").status == 200)
            for (command, body) in [(GetCart.name, #"{"customerId":"\#(visitor)"}"#), (AddToCart.name, cart),
                                    (GetWallet.name, #"{"customerId":"\#(visitor)"}"#)] {
                let refused = try await suite.post(command, body, token: "dev-web-token")
                #expect(refused.status == 403 && refused.error?["code"] as? String == "forbidden", "\(command): \(refused.body)")
            }
            // Ids identity never gave out, or no longer holds, get the very same answer.
            let unknown = try await suite.post(GetCart.name, #"{"customerId":"cus_nobody"}"#, token: "dev-app-token")
            let registered = try await suite.post(GetCart.name, #"{"customerId":"\#(visitor)"}"#, token: "dev-app-token")
            #expect(unknown.status == 403 && unknown.error?["message"] as? String == registered.error?["message"] as? String)
            // A key given twice cannot check one customer and act for another: the service reads what the gateway checked.
            let other = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"web-7f3b"}}"#, token: "dev-web-token")
            let anonymous = try #require(other.data?["customerId"] as? String)
            for twice in [#"{"customerId":"\#(anonymous)","customerId":"\#(visitor)"}"#, #"{"customerId":"\#(visitor)","customerId":"\#(anonymous)"}"#] {
                let read = try await suite.post(GetCart.name, twice, token: "dev-web-token")
                #expect(read.status == 403 || read.data?["customerId"] as? String == anonymous, "\(read.body)")
            }

            // Nor may it reach a customer through another identifier: a message recorded by e-mail.
            let byEmail = #"{"identifier":{"kind":"email","value":"noor@example.com"},"direction":"inbound","text":"hello"}"#
            #expect(try await suite.post(RecordMessage.name, byEmail, token: "dev-web-token").status == 403)
            let byDevice = #"{"identifier":{"kind":"device","value":"web-7f3b"},"direction":"inbound","text":"hello"}"#
            #expect(try await suite.post(RecordMessage.name, byDevice, token: "dev-web-token").status == 200)
            #expect(try await suite.post(GetCart.name, #"{"customerId":1}"#, token: "dev-web-token").status == 422)

            let token = try await suite.customerToken(for: visitor, signedInBy: "dev-web-backend-token")
            let own = try await suite.post(GetCart.name, #"{"customerId":"\#(visitor)"}"#, token: token)
            #expect(own.status == 200 && (own.data?["lines"] as? [[String: Any]])?.count == 1, "the cart is theirs, through their token")
            #expect(try await suite.post(GetCatalog.name, "{}", token: "dev-web-token").status == 200, "what names no customer still works")
        }
    }

    static func resolve(_ email: String, _ suite: GatewaySuite) async throws -> String {
        try await suite.processes.sender("identity").call(
            ResolveIdentifier(identifier: IdentifierInput(.email, email), createIfUnknown: true), channel: "web").customerId
    }
}
