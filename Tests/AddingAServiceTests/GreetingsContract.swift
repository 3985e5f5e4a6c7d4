import OmnibusContracts

// Step 1 of docs/ADDING_A_SERVICE.md, for a tiny sixth service, "greetings": it welcomes
// every new customer, as a real service's contract would, in Shared/OmnibusContracts/Greetings/.

/// `greetings.greeting.get`: the welcome a customer was sent (a query).
struct GetGreeting: QueryContract {
    typealias Reply = Greeting
    static let name = "greetings.greeting.get"
    var customerId: String
}

/// `greetings.greeting.resend`: sends the welcome again.
struct ResendGreeting: CommandContract {
    typealias Reply = Greeting
    static let name = "greetings.greeting.resend"
    var customerId: String
}

struct Greeting: Codable, Sendable, Equatable {
    var customerId: String
    var text: String
    var times: Int
}

enum GreetingsCommand {
    static let all: [any CommandContract.Type] = [GetGreeting.self, ResendGreeting.self]
}

enum GreetingsEvent {
    static let source = "greetings"
    static let all: [any EventContract.Type] = [GreetingSent.self]

    /// `greeting.sent`.
    struct GreetingSent: EventContract, Equatable {
        static let source = GreetingsEvent.source
        static let type = "greeting.sent"
        var customerId: String
        var times: Int
    }
}
