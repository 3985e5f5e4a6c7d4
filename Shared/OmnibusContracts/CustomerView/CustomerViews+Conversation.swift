import Foundation

extension CustomerViews {
    private static let caseTypes = Set(ConversationEvent.caseEvents.map { $0.type })

    /// Conversation's events: touchpoints join the view (the newest few), cases are kept by
    /// id with the state of their latest event. Messages stay in the service (their text is
    /// personal), so `message.recorded` changes no view.
    mutating func foldConversation(_ type: String, _ sequence: Int64, _ bytes: Data) throws -> String? {
        if type == ConversationEvent.TouchpointRecorded.type {
            let touchpoint = try data(Touchpoint.self, bytes)
            guard let id = liveTarget(touchpoint.customerId) else { return nil }
            views[id]!.record(touchpoint)
            return id
        }
        guard Self.caseTypes.contains(type) else { return nil }
        let change = try data(ConversationEvent.CaseChanged.self, bytes)
        guard let id = liveTarget(change.customerId) else { return nil }
        views[id]!.record(CustomerView.Case(
            change, openedSequence: type == ConversationEvent.CaseOpened.type ? sequence : nil, asOf: sequence))
        return id
    }

    /// Conversation's snapshot record of a customer (``ConversationSnapshot/CustomerState``):
    /// its touchpoints and cases join the view as the events' would, combined with what the
    /// view already has (the later case state wins; nothing is wiped). Nil when the
    /// customer's view is erased.
    mutating func foldConversationSnapshot(_ record: SnapshotRecord) throws -> String? {
        let state = try record.decode(ConversationSnapshot.CustomerState.self)
        guard let id = liveTarget(state.customerId) else { return nil }
        for touchpoint in state.touchpoints { views[id]!.record(touchpoint) }
        for item in state.cases { views[id]!.record(item) }
        return id
    }
}

extension CustomerView.Case {
    /// The case as a case event carrying `change` left it: what the fold keeps of
    /// `case.opened` and `case.updated`, and what conversation's snapshot serves.
    public init(_ change: ConversationEvent.CaseChanged, openedSequence: Int64?, asOf: Int64) {
        self.init(caseId: change.caseId, status: change.status, priority: change.priority, assignee: change.assignee,
                  followUpChannel: change.followUpChannel, orderIds: change.orderIds, openedSequence: openedSequence, asOf: asOf)
    }
}

extension CustomerView {
    /// Adds `touchpoint` (once), keeping the newest few, newest first; the same few
    /// whatever order touchpoints and merges were folded in.
    mutating func record(_ touchpoint: Touchpoint) {
        guard !touchpoints.contains(where: { $0.touchpointId == touchpoint.touchpointId }) else { return }
        touchpoints.append(touchpoint)
        touchpoints.sort { ($0.at, $0.touchpointId) > ($1.at, $1.touchpointId) }
        if touchpoints.count > ConversationCommand.touchpointsInView { touchpoints.removeLast(touchpoints.count - ConversationCommand.touchpointsInView) }
    }

    /// Adds `item` or combines it with the case of the same id: the state of the later
    /// event, the opening's position from whichever has it. Newest opened first.
    mutating func record(_ item: Case) {
        var combined = item
        if let index = cases.firstIndex(where: { $0.caseId == item.caseId }) {
            let existing = cases.remove(at: index)
            let (later, earlier) = existing.asOf > item.asOf ? (existing, item) : (item, existing)
            combined = later
            combined.openedSequence = later.openedSequence ?? earlier.openedSequence
        }
        cases.append(combined)
        cases.sort { ($0.openedSequence ?? $0.asOf, $0.caseId) > ($1.openedSequence ?? $1.asOf, $1.caseId) }
    }
}
