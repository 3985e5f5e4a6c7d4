import Hummingbird
import HummingbirdWebSocket
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusConfiguration
import OmnibusContracts
import ServiceLifecycle

/// The front door for front ends that do not speak ZeroMQ: commands over HTTP, the bus over
/// Server-Sent Events and WebSocket, a customer's live view, health, metrics — in front of
/// the services of one suite configuration.
public enum Gateway {
    /// What the gateway runs with.
    public struct Options: Sendable {
        /// The services to front: their command endpoints and event sources.
        public var configuration: SuiteConfiguration
        /// Where to listen.
        public var host: String
        public var port: Int
        /// Who may call (tokens.json) and what each channel may call (policy.json).
        public var callers: Callers
        public var policy: CommandPolicy
        /// How long a command waits for its service, resends included (then 503).
        public var commandTimeout: Duration
        /// The customer console's HTML, served at `/console`; nil: no console.
        public var consolePage: String?
        /// The gateway's OpenAPI document, served at `/v1/openapi.json`; nil: none.
        public var openAPIDocument: String?
        /// Event and view streams served at once (each holds a bus reader), in all and per
        /// front end; more get 503. The ZeroMQ context must have room for two sockets per
        /// source and stream (``socketsNeeded``).
        public var maxStreams = 256
        public var maxStreamsPerCaller = 64
        /// The newest events the shared reader keeps, so that streams resuming within them need
        /// no reader of their own.
        public var replayRing = 10_000

        /// The sockets a context for this gateway needs: two per source per stream, one per command client.
        public var socketsNeeded: Int32 { Int32(maxStreams * 2 * max(1, configuration.services.count) + configuration.services.count + 64) }
        /// Browser origins that may call the gateway (CORS).
        public var corsOrigins: Set<String> = []
        /// Signs and checks customer tokens; by default with a key made at start, so tokens
        /// end with the process (set one to keep them across restarts and gateways).
        public var customerSessions = CustomerSessions.ephemeral()

        public init(configuration: SuiteConfiguration, host: String, port: Int, callers: Callers, policy: CommandPolicy,
                    commandTimeout: Duration = .seconds(10), consolePage: String? = nil) {
            self.configuration = configuration
            self.host = host
            self.port = port
            self.callers = callers
            self.policy = policy
            self.commandTimeout = commandTimeout
            self.consolePage = consolePage
        }
    }

    /// The application: the HTTP server and one long-lived command client per service, run
    /// together (`runService()` in production, or in a test's service group).
    public static func makeApplication(options: Options, context: ZMQContext, logger: Logger) throws -> some ApplicationProtocol {
        var clients: [String: CommandClient] = [:]
        for (name, endpoints) in options.configuration.services {
            var clientOptions = CommandClient.Options()
            clientOptions.timeout = options.commandTimeout
            clientOptions.threadName = "gw-\(name)".prefix(15).description
            clients[name] = try CommandClient(endpoint: endpoints.commands, context: context, options: clientOptions)
        }
        let access = Access(callers: options.callers, policy: options.policy, sessions: options.customerSessions)
        let commands = CommandRoutes(clients: clients, access: access,
                                     anonymous: AnonymousCustomers(identity: clients[IdentityEvent.source], timeout: options.commandTimeout),
                                     timeout: options.commandTimeout)
        let sources = options.configuration.services.map { SubscriptionSource(name: $0.key, events: $0.value.events, replay: $0.value.replay) }
        let streams = StreamSlots(limit: options.maxStreams, perCaller: options.maxStreamsPerCaller)
        let hub = EventHub(sources: sources, heads: { [clients] in try await EventRoutes.heads(of: sources.map(\.name), clients: clients) },
                           context: context, logger: logger, ringSize: options.replayRing)
        let events = EventRoutes(sources: sources, clients: clients, access: access, context: context, logger: logger, streams: streams, hub: hub)
        let view = CustomerViewRoute(sources: sources, access: access, context: context, logger: logger, streams: streams)
        let health = HealthRoute(clients: clients, streams: streams)
        let metrics = MetricsRoute(clients: clients, access: access)

        // One router for HTTP and the WebSocket upgrade, so both go through the same middleware.
        let router = Router(context: BasicWebSocketRequestContext.self)
        if !options.corsOrigins.isEmpty { router.add(middleware: CORSForOrigins(origins: options.corsOrigins)) }
        router.post("/v1/commands/{command}") { request, context in
            try await commands.handle(request, command: context.parameters.get("command") ?? "")
        }
        let sessions = CustomerSessionRoute(access: access, identity: clients[IdentityEvent.source], timeout: options.commandTimeout)
        router.post("/v1/customer-sessions") { request, _ in try await sessions.handle(request) }
        router.get("/v1/events") { request, _ in try await events.handle(request) }
        let webSocket = WebSocketRoute(events: events)
        router.ws("/v1/ws", shouldUpgrade: { request, _ in try webSocket.shouldUpgrade(request) }) { inbound, outbound, context in
            try await webSocket.session(inbound: inbound, outbound: outbound, request: context.request)
        }
        router.get("/v1/customers/{customerId}/view") { request, context in
            try await view.handle(request, customerId: context.parameters.get("customerId") ?? "")
        }
        router.get("/healthz") { _, _ in await health.handle() }
        router.get("/metrics") { request, _ in await metrics.handle(request) }
        if let page = options.consolePage {
            let console = StaticRoute(body: page, contentType: "text/html; charset=utf-8")
            router.get("/console") { _, _ in console.handle() }
        }
        if let document = options.openAPIDocument {
            let openAPI = StaticRoute(body: document, contentType: "application/json")
            router.get("/v1/openapi.json") { _, _ in openAPI.handle() }
        }
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "omnibus-gateway"),
            services: Array(clients.values) + [hub],
            logger: logger)
    }
}
