import OmnibusContracts
import OmnibusService

/// What coupons does with conversation's events: a case resolved or closed with a goodwill
/// gesture issues the customer a coupon of every running campaign whose rule says so
/// (`autoIssue: ["case_closed"]`). Everything else conversation says is not coupons' business.
enum ConversationReactions {
    static func register(in registry: inout EventHandlerRegistry) {
        registry.on(ConversationEvent.CaseUpdated.self) { event, context in
            let change = event.data.body
            guard change.goodwill == true, let customerId = change.customerId else { return }
            try AutoIssue.issue(.caseClosed, to: customerId, emitter: context)
        }
        registry.ignoreUnhandled(ConversationEvent.all)
    }
}
