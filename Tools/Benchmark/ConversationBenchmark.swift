import ArgumentParser
import ConversationService
import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusContracts
import OmnibusService

/// `omnibus-bench conversation`: messages recorded, context reads and search against a real
/// conversation service (its SQLite file, `synchronous=FULL`) over loopback DEALER→ROUTER.
struct ConversationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversation",
        abstract: "Measure conversation.message.record, conversation.context.get and conversation.search: rates, p50/p99.",
        discussion: """
            Messages: one client, then one async client with --in-flight outstanding, each message a commit (row, \
            full-text index, event, stored reply). Context: one client reading the context of a customer with \
            --history-messages messages and --history-touchpoints touchpoints (recorded by command). Search: one \
            client searching --search-messages messages (loaded straight into the database, then a word that \
            occurs in one message in a thousand).
            """)

    @Option(help: "Messages in each message phase.")
    var messages = 10_000

    @Option(help: "Requests kept in flight by the async client.")
    var inFlight = 64

    @Option(help: "Messages of the customer whose context is read.")
    var historyMessages = 1_000

    @Option(help: "Touchpoints of the customer whose context is read.")
    var historyTouchpoints = 200

    @Option(help: "Messages in the database searched.")
    var searchMessages = 1_000_000

    @Option(help: "Reads in the context and the search phases.")
    var reads = 2_000

    func validate() throws {
        guard messages > 0, inFlight > 0, historyMessages >= 0, historyTouchpoints >= 0, searchMessages > 0, reads > 0 else {
            throw ValidationError("every count must be positive")
        }
    }

    func run() async throws {
        let bench = try await BenchedService.start(ConversationService.name) { configuration, context, logger in
            try ConversationService.makeRuntime(configuration: configuration, context: context, logger: logger)
        }
        defer { bench.removeFiles() }
        let context = bench.context
        let endpoint = bench.endpoint
        print("omnibus-bench conversation: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(inFlight) in flight")
        report("disk: fdatasync of an 8 KiB append", try DiskSync.measure(directory: bench.directory).text)

        let message: @Sendable (Int) -> CommandRequest<RecordMessage> = { index in
            CommandRequest(id: RequestId.random(), command: RecordMessage.name, channel: index % 2 == 0 ? "chat" : "email",
                           data: RecordMessage(customerId: "cus_bench-\(index % 500)", direction: .inbound,
                                               text: "message \(index) about the red Aria shoes, size 38, and the delivery"))
        }
        report("message, 1 client", try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1,
                                                                requestsPerClient: messages / 4) { message($1) })
        report("message, 1 client, \(inFlight) in flight", try await CommandLoad.pipelined(
            endpoint: endpoint, context: context, inFlight: inFlight, requests: messages, request: message))

        let regular = "cus_bench-regular"
        _ = try await CommandLoad.pipelined(endpoint: endpoint, context: context, inFlight: inFlight, requests: historyMessages) { index in
            CommandRequest(id: RequestId.random(), command: RecordMessage.name, channel: "chat",
                           data: RecordMessage(customerId: regular, direction: index % 2 == 0 ? .inbound : .outbound, text: "history \(index)"))
        }
        _ = try await CommandLoad.pipelined(endpoint: endpoint, context: context, inFlight: inFlight, requests: historyTouchpoints) { index in
            CommandRequest(id: RequestId.random(), command: RecordTouchpoint.name, channel: "web",
                           data: RecordTouchpoint(customerId: regular, kind: .productView, productId: "product-\(index % 40)",
                                                  sku: "sku-\(index)", attributes: ["colour": "red"], price: Money(amountMinor: 8_999, currency: "EUR")))
        }
        print("  a customer with \(historyMessages) messages and \(historyTouchpoints) touchpoints:")
        report("context, 1 client",
               try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1, requestsPerClient: reads) { _, _ in
                   CommandRequest(id: RequestId.random(), command: GetContext.name, channel: "call_center", data: GetContext(customerId: regular))
               })

        let loaded = try Self.load(searchMessages, into: bench.runtime.store)
        print("  \(loaded) messages loaded:")
        report("search, 1 client", try await CommandLoad.run(endpoint: endpoint, context: context, clients: 1,
                                                                                  requestsPerClient: reads) { _, index in
            CommandRequest(id: RequestId.random(), command: SearchMessages.name, channel: "call_center",
                           data: SearchMessages(query: "rare\(index % 50)", limit: 20))
        })
        try await bench.service.stop()
        report("peak RSS", "\(peakResidentMegabytes()) MiB")
    }

    /// Loads `count` messages straight into the database (by command it would take minutes):
    /// rows and full-text index as the service writes them; one in a thousand holds a rare word.
    static func load(_ count: Int, into store: EventStore) throws -> Int {
        let words = ["shoes", "delivery", "size", "refund", "store", "colour", "heel", "order", "parcel", "thanks"]
        let now = Timestamp.now().millisecondsSince1970
        var loaded = 0
        while loaded < count {
            let batch = min(50_000, count - loaded)
            try store.write { db in
                let insert = try db.makeStatement(sql: """
                    INSERT INTO message (id, conversationId, customerId, channel, direction, text, at) VALUES (?, ?, ?, 'chat', 'inbound', ?, ?)
                    """)
                let index = try db.makeStatement(sql: "INSERT INTO messageSearch (text, messageId) VALUES (?, ?)")
                for offset in 0..<batch {
                    let number = loaded + offset
                    let text = (0..<12).map { words[($0 * 7 + number) % words.count] }.joined(separator: " ")
                        + (number % 1_000 == 0 ? " rare\(number / 1_000 % 50)" : "")
                    let id = "msg_load-\(number)"
                    try insert.execute(arguments: [id, "conv_load-\(number % 10_000)", "cus_load-\(number % 10_000)", text, now + Int64(number)])
                    try index.execute(arguments: [text, id])
                }
            }
            loaded += batch
        }
        return loaded
    }
}
