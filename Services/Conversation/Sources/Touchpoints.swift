import Foundation
import GRDB
import OmnibusContracts
import OmnibusService

/// `conversation.touchpoint.*`: what the customer did, from any channel, kept for context.
enum Touchpoints {
    static func register(in registry: inout CommandRegistry) {
        registry.register(RecordTouchpoint.self) { input, context in
            // The reply is kept for retries: it leaves out what was searched for and looked at.
            var touchpoint = try record(input, context: context)
            touchpoint.query = nil
            touchpoint.attributes = nil
            return touchpoint
        }
        registry.register(ListTouchpoints.self) { input, context in
            let customerId = try KnownCustomers.current(input.customerId, in: context.db)
            let limit = min(max(input.limit ?? 50, 1), 500)
            let bodies = try Data.fetchAll(context.db, sql: """
                SELECT body FROM touchpoint WHERE customerId = ? ORDER BY at DESC, id DESC LIMIT ?
                """, arguments: [customerId, limit])
            return TouchpointList(customerId: customerId, touchpoints: try bodies.map { try ContractCoding.decode(Touchpoint.self, from: $0) })
        }
    }

    static func record(_ input: RecordTouchpoint, context: CommandContext) throws -> Touchpoint {
        let db = context.db
        let customerId = try KnownCustomers.current(input.customerId, in: db)
        for (value, field) in [(input.campaign, "campaign"), (input.productId, "productId"), (input.sku, "sku"), (input.storeId, "storeId")] {
            if let value { try InputCheck.identifier(value, field) }
        }
        if let query = input.query { try InputCheck.text(query, "query") }
        if let attributes = input.attributes {
            guard attributes.count <= 10, attributes.allSatisfy({ (1...64).contains($0.key.utf8.count) && $0.value.utf8.count <= 64 }) else {
                throw OmnibusError(.invalidArgument, "at most 10 attributes, names 1 to 64 and values up to 64 bytes")
            }
        }
        if let price = input.price {
            try InputCheck.currency(price.currency)
            guard (0...1_000_000_000_000).contains(price.amountMinor) else {
                throw OmnibusError(.invalidArgument, "price must be 0 to 10^12 minor units")
            }
        }
        let touchpoint = Touchpoint(
            touchpointId: NewId.make("tp"), customerId: customerId, kind: input.kind, channel: context.channel, at: .now(),
            campaign: input.campaign, productId: input.productId, sku: input.sku, attributes: input.attributes, price: input.price,
            query: input.query, storeId: input.storeId)
        try db.execute(sql: "INSERT INTO touchpoint (id, customerId, at, body) VALUES (?, ?, ?, ?)",
                       arguments: [touchpoint.touchpointId, customerId, touchpoint.at.millisecondsSince1970, try ContractCoding.encode(touchpoint)])
        try context.emit(ConversationEvent.TouchpointRecorded(touchpoint), customerId: customerId)
        return touchpoint
    }
}
