import AsyncAlgorithms
import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import ServiceLifecycle
import Synchronization

/// Runs the checkouts that apply a coupon: the two steps that wait on the coupons service
/// and the local steps between them, beside the command server, whose caller waits for
/// the reply (`CommandOutcome.pending`).
///
/// Every exchange with coupons has a request id derived from the checkout
/// (`<checkoutId>.coupon-reserve`, `.coupon-confirm`, `.coupon-release`), so sending it
/// again — after a timeout, or after either service was killed — is the same request and
/// applies nothing twice. Each answer is recorded in the checkout's row before the next
/// step, so the checkout resumes from the row wherever it was interrupted:
///
/// 1. `reserve_coupon`: the coupon is reserved for the basket. The reply's redemption and
///    discount are recorded with the local steps (stock reserved, order placed at the
///    discounted price, cart checked out) in one transaction. A refusal (the coupon does
///    not apply) ends the checkout with that error; no answer within
///    ``Options/couponWait`` of the checkout's start ends it with `unavailable`, and the
///    coupon — which may have been reserved — is given back.
/// 2. `confirm_coupon`: the order is placed, so the redemption is confirmed, retried for as
///    long as coupons does not answer. A refusal (the hold lapsed and the coupon was taken)
///    compensates: order cancelled, stock released, cart restored.
///
/// A failed checkout's coupon is released through `couponRelease` rows, delivered until
/// coupons answers. So whatever is killed when, a checkout ends as an order placed with its
/// coupon redeemed, or no order and the coupon free again.
final class CouponCheckouts: Service, Sendable {
    struct Options: Sendable {
        /// The coupons service's command endpoint.
        var endpoint: String
        /// How long the checkout waits for coupons to answer its reservation.
        var couponWait: Duration = .seconds(10)
        /// A checkout found at its reservation older than this (after a restart) is not
        /// finished but given up: an order placed long after the customer left would surprise them.
        var resumeWindow: Duration = .seconds(15 * 60)
        /// How often work left by a timeout or a restart is looked at again.
        var retryInterval: Duration = .seconds(1)
    }

    private let store: EventStore
    private let replies: DeferredReplies
    private let context: ZMQContext
    private let options: Options
    private let logger: Logger
    private let wakeup: CheckoutWakeup
    /// Checkouts and releases being worked on, so a wake-up does not start them twice.
    private let inProgress = Mutex<Set<String>>([])

    init(store: EventStore, replies: DeferredReplies, context: ZMQContext, options: Options, wakeup: CheckoutWakeup, logger: Logger) {
        self.store = store
        self.replies = replies
        self.context = context
        self.options = options
        self.wakeup = wakeup
        self.logger = logger
    }

    func run() async throws {
        var clientOptions = CommandClient.Options()
        clientOptions.timeout = .seconds(3)
        try await CommandClient.withClient(endpoint: options.endpoint, context: context, channel: OrdersService.name,
                                           options: clientOptions) { client in
            await withDiscardingTaskGroup { group in
                let ticks = AsyncTimerSequence(interval: options.retryInterval, clock: .continuous).map { _ in () }
                for await _ in merge(wakeup.signals, ticks).cancelOnGracefulShutdown() {
                    let work: [String]
                    do {
                        work = try await store.database.pool.read { db in
                            try String.fetchAll(db, sql: "SELECT id FROM checkout WHERE status = ? AND requestId IS NOT NULL",
                                                arguments: [CheckoutStatus.running.rawValue])
                                + String.fetchAll(db, sql: "SELECT 'release:' || checkoutId FROM couponRelease")
                        }
                    } catch {
                        logger.error("reading coupon checkouts failed", metadata: ["error": "\(error)"])
                        continue
                    }
                    for item in work where inProgress.withLock({ $0.insert(item).inserted }) {
                        group.addTask {
                            await self.work(on: item, client: client)
                            self.inProgress.withLock { _ = $0.remove(item) }
                        }
                    }
                }
                group.cancelAll()
            }
        }
    }

    private func work(on item: String, client: CommandClient) async {
        do {
            if item.hasPrefix("release:") {
                try await release(String(item.dropFirst("release:".count)), client: client)
            } else {
                while try await step(item, client: client) {}
            }
        } catch is CancellationError {
        } catch {
            logger.warning("coupon checkout step failed; retried shortly", metadata: ["item": "\(item)", "error": "\(error)"])
        }
    }

    /// Runs the checkout's next step; true while there is more to do now.
    private func step(_ checkoutId: String, client: CommandClient) async throws -> Bool {
        guard let (record, plan) = try await load(checkoutId), record.status == .running else { return false }
        let steps = CheckoutProcess.steps(of: plan)
        switch steps[record.completedSteps] {
        case .reserveCoupon: return try await reserve(record, plan, client: client)
        case .confirmCoupon: return try await confirm(record, plan, client: client)
        default:
            try await finish(record.id)
            return true
        }
    }

    private func reserve(_ record: CheckoutRecord, _ plan: CheckoutPlan, client: CommandClient) async throws -> Bool {
        guard let coupon = plan.coupon, let requestId = plan.requestId else { return false }
        if Timestamp.now().millisecondsSince1970 - record.createdAt > options.resumeWindow.wholeMilliseconds {
            try await fail(record.id, requestId: requestId, reserveSent: true, OmnibusError(
                .unavailable, "the checkout was interrupted before its coupon was reserved and is too old to finish; nothing was ordered"))
            return false
        }
        let request = ReserveCoupon(code: coupon.code, customerId: plan.customerId, basket: plan.basket, checkoutId: plan.checkoutId)
        // Nil: no answer within the client's timeout.
        let reply: CommandReply<Redemption>?
        do {
            reply = try await client.reply(to: request, id: "\(plan.checkoutId).coupon-reserve", channel: plan.channel)
        } catch let error as OmnibusError where error.code == .unavailable {
            reply = nil
        }
        guard let redemption = reply?.data else {
            let error = reply.map { $0.error ?? OmnibusError(.internal, "coupons answered neither a reservation nor an error") }
            if let error, !Self.isTransient(error) {
                try await fail(record.id, requestId: requestId, reserveSent: false, error)
                return false
            }
            // No answer, or "not now": asked again (at once after a timeout, at the next tick
            // after an answer) until the wait is over; then given back, as it may have been applied.
            guard Timestamp.now().millisecondsSince1970 - record.createdAt > options.couponWait.wholeMilliseconds else { return reply == nil }
            try await fail(record.id, requestId: requestId, reserveSent: true, OmnibusError(
                .unavailable, "the coupons service did not reserve the coupon in time; nothing was ordered"))
            return false
        }
        FaultInjection.killIfArmed("checkout:coupon-reserved")
        try await finish(record.id) { record, plan, emitter in
            plan.coupon?.code = redemption.code // as coupons knows it, not as typed
            plan.coupon?.redemptionId = redemption.redemptionId
            plan.coupon?.discountMinor = redemption.discount.amountMinor
            try CheckoutProcess.advance(&record, plan: plan, in: emitter.db)
        }
        FaultInjection.killIfArmed("checkout:order-placed")
        return true
    }

    private func confirm(_ record: CheckoutRecord, _ plan: CheckoutPlan, client: CommandClient) async throws -> Bool {
        guard let redemptionId = plan.coupon?.redemptionId, let requestId = plan.requestId else { return false }
        let reply: CommandReply<Redemption>
        do {
            reply = try await client.reply(to: ConfirmRedemption(redemptionId: redemptionId, orderId: plan.orderId),
                                           id: "\(plan.checkoutId).coupon-confirm", channel: plan.channel)
        } catch let error as OmnibusError where error.code == .unavailable {
            return true // the order is placed: keep asking until coupons answers
        }
        if let refusal = reply.error {
            // A transient failure is asked again at the next tick; only a refusal undoes the order.
            guard !Self.isTransient(refusal) else { return false }
            try await fail(record.id, requestId: requestId, reserveSent: false, refusal)
            return false
        }
        FaultInjection.killIfArmed("checkout:coupon-confirmed")
        try await finish(record.id) { record, plan, emitter in try CheckoutProcess.advance(&record, plan: plan, in: emitter.db) }
        return false
    }

    /// In one transaction: `recording` the still-running checkout's answer from coupons,
    /// then the local steps that follow. If the checkout completes, its reply is stored and
    /// sent to the waiting caller; if a local step refuses (no stock left), the checkout is
    /// compensated — the coupon included — and the refusal is the reply.
    private func finish(
        _ checkoutId: String,
        recording: @escaping @Sendable (inout CheckoutRecord, inout CheckoutPlan, TransactionEmitter) throws -> Void = { _, _, _ in }
    ) async throws {
        let answer: Data? = try await store.database.pool.write { [store, replies, wakeup] db in
            guard var record = try CheckoutRecord.fetchOne(db, key: checkoutId), record.status == .running else { return nil }
            var plan = try ContractCoding.decode(CheckoutPlan.self, from: record.plan)
            guard let requestId = plan.requestId else { return nil }
            let emitter = store.emitter(in: db, correlationId: requestId)
            try recording(&record, &plan, emitter)
            // Identity may have merged or erased the customer while the checkout waited on coupons.
            plan.customerId = try KnownCustomers.survivor(of: plan.customerId, in: db)
            let erased = try KnownCustomers.isErased(plan.customerId, in: db)
            do {
                try db.inSavepoint {
                    if erased, !CheckoutProcess.hasPlacedOrder(record, plan: plan) {
                        throw OmnibusError(.notFound, "customer \(plan.customerId) was erased; nothing was ordered")
                    }
                    try CheckoutProcess.runLocal(&record, plan: plan, emitter: emitter)
                    return .commit
                }
            } catch let refusal as OmnibusError {
                record = try CheckoutRecord.fetchOne(db, key: checkoutId) ?? record
                try CheckoutProcess.compensate(&record, plan: plan, reason: refusal.message, emitter: emitter)
                wakeup.wake() // the coupon's release is queued
                return try Self.reply(requestId, refusal, replies: replies, in: db)
            }
            guard record.status == .completed else { return nil }
            if erased {
                // Kept for the accounts as orders' erasure keeps every order: without customer or address.
                try db.execute(sql: "UPDATE purchaseOrder SET customerId = NULL, address = NULL WHERE id = ?", arguments: [plan.orderId])
            }
            return try Self.reply(requestId, try Orders.view(plan.orderId, includeAddress: false, in: db), replies: replies, in: db)
        }
        if let answer { replies.complete(checkoutId, reply: answer) }
    }

    /// Ends the checkout with `error` as its reply: its completed local steps are undone
    /// and, when the reservation may exist (`reserveSent`, or recorded), the coupon is
    /// queued for release.
    private func fail(_ checkoutId: String, requestId: String, reserveSent: Bool, _ error: OmnibusError) async throws {
        let reply: Data? = try await store.database.pool.write { [store, replies] db in
            guard var record = try CheckoutRecord.fetchOne(db, key: checkoutId), record.status == .running else { return nil }
            var plan = try ContractCoding.decode(CheckoutPlan.self, from: record.plan)
            plan.customerId = try KnownCustomers.survivor(of: plan.customerId, in: db)
            if reserveSent { record.completedSteps = max(record.completedSteps, 1) }
            try CheckoutProcess.compensate(&record, plan: plan, reason: error.message,
                                           emitter: store.emitter(in: db, correlationId: requestId))
            return try Self.reply(requestId, error, replies: replies, in: db)
        }
        if let reply { replies.complete(checkoutId, reply: reply) }
        wakeup.wake() // a release may be queued
        logger.notice("coupon checkout failed", metadata: ["checkout": "\(checkoutId)", "error": "\(error)"])
    }

    /// Gives back the coupon a failed checkout may hold: learns its redemption by sending
    /// the checkout's reservation again (the same request: coupons answers what it did)
    /// when it was never recorded, then releases it.
    private func release(_ checkoutId: String, client: CommandClient) async throws {
        guard let row = try await store.database.pool.read({ db in try CouponReleaseRecord.fetchOne(db, key: checkoutId) }) else { return }
        let plan = try ContractCoding.decode(CheckoutPlan.self, from: row.plan)
        var redemptionId = plan.coupon?.redemptionId
        if redemptionId == nil, let coupon = plan.coupon {
            let request = ReserveCoupon(code: coupon.code, customerId: plan.customerId, basket: plan.basket, checkoutId: plan.checkoutId)
            redemptionId = try await client.reply(to: request, id: "\(plan.checkoutId).coupon-reserve", channel: plan.channel).data?.redemptionId
        }
        if let redemptionId {
            let reply = try await client.reply(to: ReleaseRedemption(redemptionId: redemptionId, reason: .checkoutFailed),
                                               id: "\(plan.checkoutId).coupon-release", channel: plan.channel)
            if let error = reply.error {
                if Self.isTransient(error) { throw error }
                // Coupons' final word (it keeps a redeemed coupon, or knows no such redemption): nothing more to do.
                logger.warning("coupons did not give the coupon back", metadata: ["checkout": "\(checkoutId)", "error": "\(error)"])
            }
        }
        _ = try await store.database.pool.write { db in try CouponReleaseRecord.deleteOne(db, key: checkoutId) }
        logger.info("coupon of a failed checkout given back", metadata: ["checkout": "\(checkoutId)"])
    }

    /// An error reply that says "not now" rather than "no": retried with the same id.
    private static func isTransient(_ error: OmnibusError) -> Bool {
        error.code == .unavailable || error.code == .internal
    }

    private func load(_ checkoutId: String) async throws -> (CheckoutRecord, CheckoutPlan)? {
        try await store.database.pool.read { db in
            guard let record = try CheckoutRecord.fetchOne(db, key: checkoutId) else { return nil }
            return (record, try ContractCoding.decode(CheckoutPlan.self, from: record.plan))
        }
    }

    /// Encodes and stores the checkout's reply for its request.
    private static func reply(_ requestId: String, _ order: OrderView, replies: DeferredReplies, in db: Database) throws -> Data {
        let data = try ContractCoding.encode(CommandReply(requestId: requestId, data: order))
        try replies.record(requestId: requestId, command: Checkout.name, reply: data, in: db)
        return data
    }

    private static func reply(_ requestId: String, _ error: OmnibusError, replies: DeferredReplies, in db: Database) throws -> Data {
        let data = try ContractCoding.encode(CommandReply<OrderView>(requestId: requestId, error: error))
        try replies.record(requestId: requestId, command: Checkout.name, reply: data, in: db)
        return data
    }
}

/// Wakes ``CouponCheckouts`` when a checkout with a coupon has been stored, so it does not
/// wait for its next tick.
struct CheckoutWakeup: Sendable {
    let signals: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (signals, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func wake() { continuation.yield() }
}
