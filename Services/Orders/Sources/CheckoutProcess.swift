import Foundation
import GRDB
import Logging
import OmnibusContracts
import OmnibusService

/// Checkout as a sequence of stored steps. Each step records its completion in the
/// checkout's row, so a checkout interrupted between steps is found again and resumed, or,
/// once it is too old to place silently, compensated step by step in reverse.
///
/// Without a coupon every step is local, so the checkout command runs them all in its own
/// transaction: it commits whole or not at all, and ``recover(store:resumeWindow:logger:)``
/// finds what a crash left. With a coupon two steps wait on the coupons service
/// (``Step/reserveCoupon`` first, ``Step/confirmCoupon`` last); ``CouponCheckouts`` runs
/// those and the local steps between them.
enum CheckoutProcess {
    enum Step: String, CaseIterable {
        case reserveCoupon = "reserve_coupon"
        case reserveStock = "reserve_stock"
        case placeOrder = "place_order"
        case checkOutCart = "check_out_cart"
        case confirmCoupon = "confirm_coupon"

        /// Whether the step waits on another service (and so runs outside a command).
        var isRemote: Bool { self == .reserveCoupon || self == .confirmCoupon }
    }

    /// The steps of `plan`, in order.
    static func steps(of plan: CheckoutPlan) -> [Step] {
        plan.coupon == nil ? [.reserveStock, .placeOrder, .checkOutCart] : Step.allCases
    }

    /// Stores a new checkout without a coupon and runs its steps; returns the order.
    static func start(_ plan: CheckoutPlan, emitter: some EventEmitting) throws -> OrderView {
        var record = try begin(plan, in: emitter.db)
        try runLocal(&record, plan: plan, emitter: emitter)
        return try Orders.view(plan.orderId, includeAddress: false, in: emitter.db)
    }

    /// Stores `plan` as a running checkout with no step done.
    static func begin(_ plan: CheckoutPlan, in db: Database) throws -> CheckoutRecord {
        let now = Timestamp.now().millisecondsSince1970
        let record = CheckoutRecord(id: plan.checkoutId, customerId: plan.customerId, status: .running, completedSteps: 0,
                                    plan: try ContractCoding.encode(plan), failure: nil, createdAt: now, updatedAt: now,
                                    requestId: plan.requestId, orderId: plan.coupon == nil ? nil : plan.orderId)
        try record.insert(db)
        return record
    }

    /// Runs the local steps from the next one on, recording each, until a remote step or
    /// the end (or `stopAfter` steps in all, for tests). At the end the checkout is completed
    /// and its stored plan loses the address.
    static func runLocal(_ record: inout CheckoutRecord, plan: CheckoutPlan, emitter: some EventEmitting, stopAfter: Int? = nil) throws {
        let steps = steps(of: plan)
        while record.completedSteps < min(steps.count, stopAfter ?? steps.count), !steps[record.completedSteps].isRemote {
            try run(steps[record.completedSteps], plan, emitter: emitter)
            try advance(&record, plan: plan, in: emitter.db)
        }
    }

    /// Records one more step done (`plan` as it now stands); completes the checkout after its last.
    static func advance(_ record: inout CheckoutRecord, plan: CheckoutPlan, in db: Database) throws {
        record.completedSteps += 1
        record.updatedAt = Timestamp.now().millisecondsSince1970
        if record.completedSteps == steps(of: plan).count {
            record.status = .completed
            var stored = plan
            stored.address = nil
            record.plan = try ContractCoding.encode(stored)
            try record.update(db)
        } else if plan.coupon == nil {
            // Progress only: the stored plan does not change between local steps.
            try db.cachedStatement(sql: "UPDATE checkout SET completedSteps = ?, updatedAt = ? WHERE id = ?")
                .execute(arguments: [record.completedSteps, record.updatedAt, record.id])
        } else {
            record.plan = try ContractCoding.encode(plan)
            try record.update(db)
        }
    }

    /// Whether `record` has done its `place_order` step.
    static func hasPlacedOrder(_ record: CheckoutRecord, plan: CheckoutPlan) -> Bool {
        (steps(of: plan).firstIndex(of: .placeOrder) ?? 0) < record.completedSteps
    }

    /// Reverses the completed steps, newest first, and marks the checkout compensated.
    static func compensate(_ record: inout CheckoutRecord, plan: CheckoutPlan, reason: String, emitter: some EventEmitting) throws {
        for step in steps(of: plan)[..<record.completedSteps].reversed() {
            try undo(step, plan, reason: reason, emitter: emitter)
        }
        record.status = .compensated
        record.failure = reason
        record.updatedAt = Timestamp.now().millisecondsSince1970
        var stored = plan
        stored.address = nil
        record.plan = try ContractCoding.encode(stored)
        try record.update(emitter.db)
    }

    private static func run(_ step: Step, _ plan: CheckoutPlan, emitter: some EventEmitting) throws {
        let db = emitter.db
        switch step {
        case .reserveCoupon, .confirmCoupon:
            preconditionFailure("\(step) waits on the coupons service; CouponCheckouts runs it")
        case .reserveStock:
            for item in plan.items { try Stock.reserve(item.sku, item.quantity, at: plan.storeId, emitter: emitter) }
        case .placeOrder:
            let now = Timestamp.now().millisecondsSince1970
            let placed = try emitter.emit(OrdersEvent.OrderPlaced(
                orderId: plan.orderId, customerId: plan.customerId, fulfilment: plan.fulfilment, storeId: plan.storeId,
                items: plan.eventItems, total: Money(amountMinor: plan.totalMinor, currency: plan.currency),
                replacesOrderId: plan.replacesOrderId, coupon: plan.appliedCoupon), customerId: plan.customerId)
            try OrderRecord(id: plan.orderId, customerId: plan.customerId, status: .placed, fulfilment: plan.fulfilment,
                            storeId: plan.storeId, address: plan.address, currency: plan.currency, totalMinor: plan.totalMinor,
                            channel: plan.channel, replacesOrderId: plan.replacesOrderId, placedAt: now, updatedAt: now,
                            coupon: plan.appliedCoupon, placedSequence: placed).insert(db)
            // Inserted in the plan's order, which is the event's: the snapshot reads them back by rowid.
            for item in plan.items {
                try OrderLineRecord(orderId: plan.orderId, sku: item.sku, quantity: item.quantity,
                                    unitPriceMinor: item.unitPriceMinor, returnedQuantity: 0).insert(db)
            }
        case .checkOutCart:
            guard plan.fromCart else { return }
            // Only what was ordered leaves the cart: a checkout waiting on coupons may see
            // another channel add to the cart meanwhile.
            for item in plan.items {
                try db.execute(sql: "UPDATE cartLine SET quantity = quantity - ? WHERE customerId = ? AND sku = ?",
                               arguments: [item.quantity, plan.customerId, item.sku])
            }
            try db.execute(sql: "DELETE FROM cartLine WHERE customerId = ? AND quantity <= 0", arguments: [plan.customerId])
            _ = try Carts.changed(plan.customerId, OrdersEvent.CartCheckedOut.self, orderId: plan.orderId, emitter: emitter)
        }
    }

    private static func undo(_ step: Step, _ plan: CheckoutPlan, reason: String, emitter: some EventEmitting) throws {
        switch step {
        case .reserveCoupon:
            // Given back by CouponCheckouts, which delivers the release until coupons answers.
            try CouponReleaseRecord(checkoutId: plan.checkoutId, plan: try ContractCoding.encode(plan), reason: reason,
                                    createdAt: Timestamp.now().millisecondsSince1970).insert(emitter.db, onConflict: .ignore)
        case .reserveStock:
            for item in plan.items { try Stock.release(item.sku, item.quantity, at: plan.storeId, emitter: emitter) }
        case .placeOrder:
            var order = try Orders.record(plan.orderId, in: emitter.db)
            if order.status != .cancelled { try Orders.setStatus(&order, .cancelled, reason: reason, emitter: emitter) }
        case .checkOutCart:
            guard plan.fromCart, try !KnownCustomers.isErased(plan.customerId, in: emitter.db) else { return }
            try Carts.restore(plan, emitter: emitter)
        case .confirmCoupon:
            break // the last step: a checkout that finished it has completed and is never compensated
        }
    }

    /// Finds checkouts a crash left running. Those started within `resumeWindow` are
    /// finished; older ones, or ones whose next step fails, are compensated (the customer
    /// has moved on; an order placed now would surprise them). Checkouts with a coupon are
    /// ``CouponCheckouts``' to resume, unless `couponsConfigured` is false: then nothing can
    /// finish them, and they are compensated (their coupon queued for release, for when
    /// coupons is configured again). Returns (resumed, compensated).
    @discardableResult
    static func recover(store: EventStore, resumeWindow: Duration, couponsConfigured: Bool = true,
                        logger: Logger) throws -> (resumed: Int, compensated: Int) {
        let cutoff = Timestamp.now().millisecondsSince1970 - resumeWindow.wholeMilliseconds
        return try store.write { db in
            var resumed = 0
            var compensated = 0
            for var record in try CheckoutRecord.filter(Column("status") == CheckoutStatus.running.rawValue).fetchAll(db) {
                let plan = try ContractCoding.decode(CheckoutPlan.self, from: record.plan)
                let emitter = store.emitter(in: db, correlationId: record.id)
                let steps = steps(of: plan)
                let step = steps[min(record.completedSteps, steps.count - 1)].rawValue
                if plan.coupon != nil {
                    guard !couponsConfigured else { continue } // CouponCheckouts resumes those
                    record.completedSteps = max(record.completedSteps, 1) // the coupon may be reserved
                    try compensate(&record, plan: plan, reason: "no coupons service is configured to finish the checkout", emitter: emitter)
                    compensated += 1
                    logger.warning("compensated a coupon checkout: no coupons service configured", metadata: ["checkout": "\(record.id)"])
                    continue
                }
                if record.createdAt >= cutoff {
                    do {
                        try db.inSavepoint {
                            try runLocal(&record, plan: plan, emitter: emitter)
                            return .commit
                        }
                        resumed += 1
                        logger.notice("resumed an interrupted checkout", metadata: ["checkout": "\(record.id)", "from": "\(step)"])
                        continue
                    } catch {
                        record = try CheckoutRecord.fetchOne(db, key: record.id) ?? record
                        logger.warning("an interrupted checkout could not be resumed", metadata: ["checkout": "\(record.id)", "error": "\(error)"])
                    }
                }
                try compensate(&record, plan: plan, reason: "checkout interrupted at \(step) and not resumed", emitter: emitter)
                compensated += 1
                logger.notice("compensated an interrupted checkout", metadata: ["checkout": "\(record.id)", "at": "\(step)"])
            }
            return (resumed, compensated)
        }
    }
}
