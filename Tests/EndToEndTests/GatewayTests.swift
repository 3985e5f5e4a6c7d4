import AsyncHTTPClient
import Foundation
import NIOCore
import OmnibusClient
import OmnibusContracts
import OmnibusTestSupport
import Testing

/// The gateway as a process in front of real service processes, called by a real HTTP client.
@Suite("Gateway: commands over HTTP, who is calling, the bus over SSE")
struct GatewayTests {
    @Test("a command round trip per service, with the channel set from the token")
    func roundTripPerService() async throws {
        try await GatewaySuite.with(["identity", "orders", "coupons", "conversation", "notifications"]) { suite in
            let resolved = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"ios-round-trip"}}"#, token: "dev-app-token")
            #expect(resolved.status == 200)
            let customerId = try #require(resolved.data?["customerId"] as? String)
            let added = try await suite.post(
                AddToCart.name, #"{"customerId":"\#(customerId)","sku":"shoe-aria-red-38","quantity":1,"channel":"store"}"#, token: "dev-app-token")
            #expect(added.status == 200 && (added.data?["lines"] as? [[String: Any]])?.first?["channel"] as? String == "app",
                    "the line's channel is the token's, not anything in the body")
            let wallet = try await suite.post(GetWallet.name, #"{"customerId":"\#(customerId)"}"#, token: "dev-app-token")
            #expect(wallet.status == 200 && wallet.data?["coupons"] != nil)
            let touchpoint = try await suite.post(
                RecordTouchpoint.name, #"{"customerId":"\#(customerId)","kind":"product_view","productId":"shoe-aria"}"#, token: "dev-web-token")
            #expect(touchpoint.status == 200)
            let log = try await suite.post(GetNotificationLog.name, #"{"customerId":"\#(customerId)"}"#, token: "dev-call-center-token")
            #expect(log.status == 200 && log.data?["notifications"] != nil)
            let health = try await suite.get("/healthz")
            #expect(health.status == 200)

            // A body that names another channel does not make it so.
            let consent = #"{"customerId":"\#(customerId)","purpose":"marketing","channel":"email","granted":true,"source":"call_center"}"#
            #expect(try await suite.post(SetConsent.name, consent, token: "dev-web-token").status == 403, "public front ends cannot set consent")
            #expect(try await suite.post(SetConsent.name, consent, token: "dev-store-token").status == 200)
            let profile = try await suite.post(GetProfile.name, #"{"customerId":"\#(customerId)"}"#, token: "dev-store-token")
            let consents = profile.data?["consents"] as? [[String: Any]]
            #expect(consents?.first { $0["purpose"] as? String == "marketing" }?["source"] as? String == "store")
        }
    }

    @Test("a retried POST with the same Idempotency-Key is applied once and answered the same")
    func idempotencyKey() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            let device = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"web-idem-1"}}"#, token: "dev-web-token")
            let visitor = try #require(device.data?["customerId"] as? String)
            let body = #"{"customerId":"\#(visitor)","sku":"shoe-aria-red-38","quantity":1}"#
            let first = try await suite.post(AddToCart.name, body, token: "dev-web-token", idempotencyKey: "add-7f3a")
            let retried = try await suite.post(AddToCart.name, body, token: "dev-web-token", idempotencyKey: "add-7f3a")
            #expect(first.status == 200 && retried.status == 200)
            #expect(first.body == retried.body, "the stored reply, not a second application")
            let cart = try await suite.post(GetCart.name, #"{"customerId":"\#(visitor)"}"#, token: "dev-web-token")
            #expect((cart.data?["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 1)
            let sameKeyOtherCaller = try await suite.post(AddToCart.name, body, token: "dev-app-token", idempotencyKey: "add-7f3a")
            #expect((sameKeyOtherCaller.data?["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 2,
                    "keys are scoped to the caller: another front end's same key is a new request")
            #expect(try await suite.post(AddToCart.name, body, token: "dev-web-token", idempotencyKey: "two words").status == 400)
            let other = try await suite.post(AddToCart.name, body, token: "dev-web-token", idempotencyKey: "add-8b2c")
            #expect((other.data?["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 3, "a new key is a new request")
        }
    }

    @Test("no token or an unknown one → 401; a channel calling what its policy does not allow → 403; bad bodies → 400, 413, 404")
    func refusals() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            let anonymous = try await suite.post(GetCart.name, #"{"customerId":"cus_x"}"#, token: nil)
            #expect(anonymous.status == 401 && anonymous.headers["WWW-Authenticate"].first == "Bearer")
            #expect(anonymous.error?["code"] as? String == "unauthenticated")
            #expect(try await suite.post(GetCart.name, #"{"customerId":"cus_x"}"#, token: "not-a-token").status == 401)
            let price = #"{"product":{"productId":"p","name":"P","variants":[]}}"#
            let webPrices = try await suite.post(UpsertProduct.name, price, token: "dev-web-token")
            #expect(webPrices.status == 403 && webPrices.error?["code"] as? String == "forbidden")
            #expect(try await suite.post(EraseCustomer.name, #"{"customerId":"cus_x"}"#, token: "dev-backoffice-token").status == 403,
                    "only ops erases")
            let erased = try await suite.post(EraseCustomer.name, #"{"customerId":"cus_x"}"#, token: "dev-ops-token")
            #expect(erased.status == 404 && erased.error?["code"] as? String == "not_found", "ops may erase; there is no cus_x")
            #expect(try await suite.get("/v1/events", token: "dev-web-token").status == 403, "the raw bus is for staff")
            #expect(try await suite.get("/v1/events?access_token=dev-store-token&source=billing").status == 422)

            #expect(try await suite.post(GetCart.name, "{not json", token: "dev-web-token").status == 400)
            #expect(try await suite.post(GetCart.name, #"{"customerId":"cus_x"},"channel":"ops""#, token: "dev-web-token").status == 400,
                    "a body is one JSON value: it cannot close the envelope and name a channel")
            let huge = #"{"customerId":""# + String(repeating: "x", count: 2 << 20) + #""}"#
            #expect(try await suite.post(GetCart.name, huge, token: "dev-ops-token").status == 413)
            #expect(try await suite.post("billing.invoice.get", "{}", token: "dev-ops-token").status == 404)
            // A public front end's token is in every visitor's hands: it may not learn whether an e-mail is a customer's.
            let probe = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"email","value":"someone@example.com"},"createIfUnknown":false}"#,
                                             token: "dev-web-token")
            #expect(probe.status == 403 && probe.error?["code"] as? String == "forbidden", "\(probe.body)")
            #expect(try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"phone","value":"+49 170 1234567"}}"#,
                                         token: "dev-app-token").status == 403)
            #expect(try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"ios-7f3a"}}"#,
                                         token: "dev-app-token").status == 200, "an anonymous device id it may resolve")
            #expect(try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"email","value":"someone@example.com"},"createIfUnknown":false}"#,
                                         token: "dev-web-backend-token").status == 404, "the shop's server may, to sign a customer in")
            let unknownCustomer = try await suite.post(GetProfile.name, #"{"customerId":"cus_nobody"}"#, token: "dev-store-token")
            #expect(unknownCustomer.status == 404 && unknownCustomer.error?["code"] as? String == "not_found")
            #expect(try await suite.get("/healthz").status == 200, "still serving")
        }
    }

    @Test("an SSE client away for 5,000 events reconnects with Last-Event-ID and gets exactly those, in order, then live ones")
    func sseResumesWithLastEventId() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            let path = "/v1/events?source=orders&type=cart.item_added"
            let first = try await suite.events(path, token: "dev-store-token")
            try await suite.addToCarts(1, prefix: "before")
            let seen = try #require(try await first.next())
            #expect(seen.event == OrdersEvent.CartItemAdded.topic && seen.data.contains("cus_before-0"))
            let lastId = try #require(seen.id)
            first.close()

            try await suite.addToCarts(5_000, prefix: "away")
            let resumed = try await suite.events(path, token: "dev-store-token", lastEventId: lastId)
            var sequences: [Int64] = []
            var customers = Set<String>()
            while sequences.count < 5_000, let frame = try await resumed.next() {
                let header = try EventHeader.decode(from: Data(frame.data.utf8))
                sequences.append(header.sequence)
                customers.insert(header.customerId ?? "")
            }
            #expect(sequences.count == 5_000 && sequences == sequences.sorted() && Set(sequences).count == 5_000, "each once, in order")
            #expect(customers == Set((0..<5_000).map { "cus_away-\($0)" }), "exactly the missed ones")
            try await suite.addToCarts(1, prefix: "live")
            let live = try #require(try await resumed.next())
            #expect(live.data.contains("cus_live-0"))
            resumed.close()

            // An id from the future (a restored log, a forged id) resumes at the head instead of stalling.
            let future = try await suite.events(path, token: "dev-store-token", lastEventId: "orders:999999999")
            try await suite.addToCarts(1, prefix: "after-future")
            #expect(try #require(try await future.next()).data.contains("cus_after-future-0"))
            future.close()
            #expect(try await suite.get(path + "&lastEventId=billing:3", token: "dev-store-token").status == 422)
            // From the start of the log: older than anything the shared reader keeps, so read for this stream alone.
            let everything = try await suite.events(path + "&from=start", token: "dev-store-token")
            #expect(try #require(try await everything.next()).data.contains("cus_before-0"))
            everything.close()
            try await eventually("every stream's reader let go once its client left") {
                (try await suite.get("/healthz").envelope?["streams"] as? Int) == 0
            }
        }
    }

    @Test("the customer view streams as it changes: the fold every channel shares, with the channel of each change")
    func customerViewStream() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            let resolved = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"email","value":"mia@example.com"}}"#,
                                                token: "dev-web-backend-token")
            let customerId = try #require(resolved.data?["customerId"] as? String)
            let mia = try await suite.customerToken(for: customerId, signedInBy: "dev-app-backend-token")
            #expect(try await suite.post(AddToCart.name, #"{"customerId":"\#(customerId)","sku":"shoe-aria-red-38","quantity":1}"#,
                                         token: mia).status == 200)
            #expect(try await suite.get("/v1/customers/\(customerId)/view", token: "dev-web-token").status == 403, "web may not follow customers")
            let view = try await suite.events("/v1/customers/\(customerId)/view?access_token=dev-store-token", token: nil)
            let first = try #require(try await view.next())
            let initial = try JSONSerialization.jsonObject(with: Data(first.data.utf8)) as? [String: Any]
            #expect(((initial?["view"] as? [String: Any])?["cart"] as? [String: Any]).flatMap { $0["items"] as? [Any] }?.count == 1)
            #expect(try await suite.post(AddToCart.name, #"{"customerId":"\#(customerId)","sku":"shoe-aria-red-40","quantity":1}"#,
                                         token: "dev-store-token").status == 200)
            let next = try #require(try await view.next())
            let changed = try JSONSerialization.jsonObject(with: Data(next.data.utf8)) as? [String: Any]
            let change = changed?["change"] as? [String: Any]
            #expect(change?["topic"] as? String == OrdersEvent.CartItemAdded.topic && change?["channel"] as? String == "store")
            #expect(((changed?["view"] as? [String: Any])?["cart"] as? [String: Any]).flatMap { $0["items"] as? [Any] }?.count == 2)
            view.close()
        }
    }

    @Test("a store clerk's console in a real browser shows a cart line added from another channel, without reload")
    func consoleInHeadlessChromium() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            // Journey 1: an anonymous app cart, then a web login by e-mail, merged into one customer.
            let app = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"ios-lea-1"}}"#, token: "dev-app-token")
            let anonymous = try #require(app.data?["customerId"] as? String)
            #expect(try await suite.post(AddToCart.name, #"{"customerId":"\#(anonymous)","sku":"shoe-aria-red-38","quantity":1}"#,
                                         token: "dev-app-token").status == 200)
            let resolved = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"email","value":"lea@example.com"}}"#,
                                                token: "dev-web-backend-token")
            let lea = try #require(resolved.data?["customerId"] as? String)
            #expect(try await suite.post(MergeCustomers.name, #"{"survivorId":"\#(lea)","mergedId":"\#(anonymous)"}"#,
                                         token: "dev-store-token").status == 200)
            try await eventually("orders moved the app cart to Lea") {
                let cart = try await suite.post(GetCart.name, #"{"customerId":"\#(lea)"}"#, token: "dev-store-token")
                return (cart.data?["lines"] as? [[String: Any]])?.count == 1
            }
            let screenshot = suite.processes.directory.file("console.png")
            let browser = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", Sink.fixtures + "/console_browser.py", "--url",
                            "http://127.0.0.1:\(suite.port)/console?token=dev-store-token&email=lea@example.com",
                            "--wait-sku", "shoe-aria-red-40", "--screenshot", screenshot, "--timeout", "60"],
                logPath: suite.processes.directory.file("browser.log"))
            try await eventually("the console to follow Lea live", timeout: .seconds(60)) {
                guard browser.isRunning || browser.log.contains("READY") else { throw TestFailure("the browser script ended: \(browser.log)") }
                return browser.log.contains("READY")
            }
            // From the web shop, where Lea signed in, not the console: the page must learn it from the stream.
            let signedIn = try await suite.customerToken(for: lea, signedInBy: "dev-web-backend-token")
            #expect(try await suite.post(AddToCart.name, #"{"customerId":"\#(lea)","sku":"shoe-aria-red-40","quantity":1}"#,
                                         token: signedIn).status == 200)
            #expect(try await browser.waitForExit(timeout: .seconds(60)) == .exited(0), "\(browser.log)")
            #expect(browser.log.contains("SEEN 1 × shoe-aria-red-40 on the same page"), "no reload: a mark set at READY is still there")
            #expect(FileManager.default.fileExists(atPath: screenshot))
        }
    }

    @Test("/metrics is the whole suite's exposition, each family once, for ops only; CORS answers configured origins only")
    func metricsAndCORS() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            #expect(try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"email","value":"max@example.com"}}"#,
                                         token: "dev-web-backend-token").status == 200)
            let metrics = try await suite.get("/metrics", token: "dev-ops-token")
            #expect(metrics.status == 200)
            #expect(metrics.body.components(separatedBy: "# TYPE omnibus_commands_total counter").count == 2, "one TYPE line per family")
            #expect(metrics.body.contains(#"omnibus_commands_total{service="identity",command="identity.resolve",outcome="ok"} 1"#))
            #expect(metrics.body.contains(#"service="orders""#))
            #expect(try await suite.get("/metrics", token: "dev-web-token").status == 403)

            let preflight = try await suite.get("/v1/commands/orders.cart.add", method: .OPTIONS, headers: [
                ("Origin", "https://shop.example.com"), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization, content-type, idempotency-key"),
            ])
            #expect(preflight.status == 204 && preflight.headers["Access-Control-Allow-Origin"].first == "https://shop.example.com")
            #expect(preflight.headers["Access-Control-Allow-Headers"].first?.contains("Idempotency-Key") == true)
            let foreign = try await suite.get("/healthz", headers: [("Origin", "https://evil.example")])
            #expect(foreign.status == 200 && foreign.headers["Access-Control-Allow-Origin"].isEmpty, "no CORS for other origins")
            let allowed = try await suite.get("/healthz", headers: [("Origin", "https://shop.example.com")])
            #expect(allowed.headers["Access-Control-Allow-Origin"].first == "https://shop.example.com")
        }
    }

    @Test("the OpenAPI document holds against the running gateway: schemathesis's generated requests get documented answers, never a server error")
    func openAPIConformance() async throws {
        try await GatewaySuite.with(["identity", "orders", "coupons", "conversation", "notifications"]) { suite in
            let document = try await suite.get("/v1/openapi.json")
            #expect(document.status == 200 && document.envelope?["openapi"] as? String == "3.1.0")
            // The two streams never end, so they are left to the SSE tests above.
            let tester = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", "-m", "schemathesis.cli", "run", "http://127.0.0.1:\(suite.port)/v1/openapi.json",
                            "--header", "Authorization: Bearer dev-ops-token", "--exclude-path-regex", "^/v1/(events|customers/)",
                            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                            "--max-examples", "40", "--seed", "7", "--request-timeout", "15", "--workers", "1", "--no-color"],
                environment: ["SCHEMATHESIS_HOOKS": ""],
                logPath: suite.processes.directory.file("schemathesis.log"))
            let exit = try await tester.waitForExit(timeout: .seconds(600))
            #expect(exit == .exited(0), "\(tester.log.suffix(6000))")
        }
    }

    @Test("one front end flooding the gateway with 1,000 idle SSE connections, malformed JSON and oversized bodies leaves it serving the others")
    func flood() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            var pool = HTTPClient.Configuration()
            pool.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 1_100)
            let flooder = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pool)
            let url = "http://127.0.0.1:\(suite.port)"
            // 1,000 streams opened and never read, by the store's token.
            let idle = try await withThrowingTaskGroup(of: (UInt, HTTPClientResponse).self) { group in
                for _ in 0..<1_000 {
                    group.addTask {
                        var request = HTTPClientRequest(url: url + "/v1/events")
                        request.headers.add(name: "Authorization", value: "Bearer dev-store-token")
                        let response = try await flooder.execute(request, timeout: .seconds(60))
                        return (response.status.code, response)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(idle.filter { $0.0 == 200 }.count == 64, "one front end gets its share of streams")
            #expect(idle.filter { $0.0 == 503 }.count == 936, "the rest are refused at once, not left hanging")
            // Garbage from the same front end, while others work.
            let garbage = Task {
                var statuses: [UInt] = []
                let huge = ByteBuffer(string: #"{"customerId":""# + String(repeating: "x", count: 2 << 20) + #""}"#)
                for round in 0..<100 {
                    var request = HTTPClientRequest(url: url + "/v1/commands/" + GetCart.name)
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer dev-store-token")
                    request.body = .bytes(round.isMultiple(of: 2) ? ByteBuffer(string: "{\"customerId\": [oops") : huge)
                    statuses.append(try await flooder.execute(request, timeout: .seconds(60)).status.code)
                }
                return statuses
            }
            for index in 0..<20 {
                let device = try await suite.post(ResolveIdentifier.name, #"{"identifier":{"kind":"device","value":"web-calm-\#(index)"}}"#,
                                                  token: "dev-web-token")
                let visitor = try #require(device.data?["customerId"] as? String, "\(device.body)")
                let added = try await suite.post(AddToCart.name, #"{"customerId":"\#(visitor)","sku":"shoe-aria-red-38","quantity":1}"#,
                                                 token: "dev-web-token")
                #expect(added.status == 200, "the web shop is still served")
            }
            let staff = try await suite.events("/v1/events?source=orders&type=cart.item_added", token: "dev-call-center-token")
            try await suite.addToCarts(1, prefix: "during-flood")
            #expect(try #require(try await staff.next()).data.contains("cus_during-flood-0"), "another front end still gets a stream")
            staff.close()
            let statuses = try await garbage.value
            #expect(statuses.filter { $0 == 400 }.count == 50 && statuses.filter { $0 == 413 }.count == 50)
            #expect(try await suite.get("/healthz").status == 200)
            try await flooder.shutdown()
            _ = idle
        }
    }

    @Test("WebSocket: several subscriptions on one socket, unsubscribe, and resume after an id without losing what was missed")
    func webSocketSubscriptions() async throws {
        try await GatewaySuite.with(["identity", "orders"]) { suite in
            #expect(try await suite.get("/v1/ws").status == 401)
            #expect(try await suite.get("/v1/ws", token: "dev-web-token").status == 403)
            let transcript = try await WebSocketSession.run(url: "ws://127.0.0.1:\(suite.port)/v1/ws?access_token=dev-store-token") { socket in
                let added = OrdersEvent.CartItemAdded.type
                try await socket.send(#"{"subscribe": {"id": "carts", "source": "orders", "type": "\#(added)"}}"#)
                try await socket.expect { $0["subscribed"] as? String == "carts" }
                try await suite.addToCarts(3, prefix: "ws")
                var lastId = ""
                for index in 0..<3 {
                    let message = try await socket.expect { $0["subscription"] as? String == "carts" }
                    let event = message["event"] as? [String: Any]
                    #expect(event?["customerId"] as? String == "cus_ws-\(index)")
                    lastId = message["id"] as? String ?? ""
                }
                try await socket.send(#"{"unsubscribe": "carts"}"#)
                try await socket.expect { $0["unsubscribed"] as? String == "carts" }
                try await suite.addToCarts(2, prefix: "ws-away")
                try await socket.send(#"{"subscribe": {"id": "again", "source": "orders", "type": "\#(added)", "after": "\#(lastId)"}}"#)
                try await socket.expect { $0["subscribed"] as? String == "again" }
                for index in 0..<2 {
                    let message = try await socket.expect { $0["subscription"] as? String == "again" }
                    #expect((message["event"] as? [String: Any])?["customerId"] as? String == "cus_ws-away-\(index)", "what came while unsubscribed")
                }
                try await socket.send("hello")
                let refusal = try await socket.expect { $0["error"] != nil }
                #expect((refusal["error"] as? [String: Any])?["code"] as? String == "invalid_request")
            }
            #expect(transcript.count == 9, "nothing the client did not ask for: \(transcript)")
            try await eventually("the subscriptions' readers let go") { (try await suite.get("/healthz").envelope?["streams"] as? Int) == 0 }
        }
    }
}
