import Foundation
import OmnibusContracts
import Testing

/// Commands and events are types: each wire name lives in exactly one contract type, and
/// nothing else in the tree spells it out.
@Suite("Contract types")
struct ContractTypesTests {
    static let commands: [any CommandContract.Type] = IdentityCommand.all + OrdersCommand.all + CouponsCommand.all + ConversationCommand.all + NotificationsCommand.all
    static let events: [any EventContract.Type] = IdentityEvent.all + OrdersEvent.all + CouponsEvent.all + ConversationEvent.all + NotificationsEvent.all

    @Test("every command and event wire name is unique and belongs to its service")
    func namesAreUniqueAndPrefixed() {
        #expect(Set(Self.commands.map { $0.name }).count == Self.commands.count)
        #expect(Set(Self.events.map { $0.topic }).count == Self.events.count)
        for command in IdentityCommand.all { #expect(command.service == IdentityEvent.source, "\(command.name)") }
        for command in OrdersCommand.all { #expect(command.service == OrdersEvent.source, "\(command.name)") }
        for event in IdentityEvent.all { #expect(event.source == IdentityEvent.source, "\(event.type)") }
        for event in OrdersEvent.all { #expect(event.source == OrdersEvent.source, "\(event.type)") }
        for command in CouponsCommand.all { #expect(command.service == CouponsEvent.source, "\(command.name)") }
        for event in CouponsEvent.all { #expect(event.source == CouponsEvent.source, "\(event.type)") }
        for command in ConversationCommand.all { #expect(command.service == ConversationEvent.source, "\(command.name)") }
        for event in ConversationEvent.all { #expect(event.source == ConversationEvent.source, "\(event.type)") }
        for command in NotificationsCommand.all { #expect(command.service == NotificationsEvent.source, "\(command.name)") }
        for event in NotificationsEvent.all { #expect(event.source == NotificationsEvent.source, "\(event.type)") }
    }

    @Test("an event that wraps a body is the body on the wire, and reads back as its own type")
    func wrappingEventsAreTheirBody() throws {
        let cart = OrdersEvent.CartChanged(
            customerId: "cus_1", version: 3, sku: "tee", quantity: 2,
            items: [OrdersEvent.CartItem(sku: "tee", quantity: 2, unitPrice: Money(amountMinor: 1990, currency: "EUR"), channel: "app")])
        let wrapped = try ContractCoding.encode(OrdersEvent.CartItemAdded(cart))
        #expect(try ContractCoding.decode(JSONValue.self, from: wrapped) == JSONValue(encoding: cart))
        #expect(try ContractCoding.decode(OrdersEvent.CartMerged.self, from: wrapped).body == cart)
    }

    @Test("a typed request is the documented JSON: name and version from the contract")
    func typedRequestIsTheWireRequest() throws {
        let request = CommandRequest(GetCart(customerId: "cus_1"), id: "r1", channel: "web")
        #expect(try JSONValue(encoding: request) == .object([
            "id": .string("r1"), "command": .string("orders.cart.get"), "version": .number(1), "channel": .string("web"),
            "data": .object(["customerId": .string("cus_1")]),
        ]))
    }

    /// The wire names of commands and event types may appear as Swift string literals only in
    /// the contract files that define them; everywhere else code names the type
    /// (`AddToCart.name`). A name inside a larger text (a JSON or Prometheus fixture, which
    /// pins the wire form) is not a literal of its own, and the contract's and the wire
    /// codec's own tests pin names on purpose.
    @Test("no command or event name is a string literal outside its contract type")
    func namesAppearOnlyInTheirContracts() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let names = Self.commands.map { $0.name } + Self.events.map { $0.type }
        // A literal of its own: the name in quotes where an expression starts.
        let literal = try Regex(#"(^|[\[(,]\s*|[=:]\s+|return\s+)"("# + names.map(NSRegularExpression.escapedPattern).joined(separator: "|") + #")""#)
            .anchorsMatchLineEndings()
        let exempt = [
            "Shared/OmnibusContracts/Identity/", "Shared/OmnibusContracts/Orders/", "Shared/OmnibusContracts/Coupons/", "Shared/OmnibusContracts/Conversation/", "Shared/OmnibusContracts/Notifications/", "Tests/OmnibusContractsTests/", "Tests/OmnibusWireTests/",
        ]
        var offences: [String] = []
        for folder in ["Services", "Shared", "Tools", "Tests"] {
            let files = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = files?.nextObject() as? URL {
                guard file.pathExtension == "swift" else { continue }
                let relative = String(file.path.dropFirst(root.path.count + 1))
                guard !exempt.contains(where: relative.hasPrefix) else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: literal) { offences.append("\(relative): \(text[match.range])") }
            }
        }
        #expect(offences.isEmpty, "\(offences.joined(separator: "\n"))")
        #expect(names.count > 40, "the scan knows every contract") // an empty list would pass anything
    }
}
