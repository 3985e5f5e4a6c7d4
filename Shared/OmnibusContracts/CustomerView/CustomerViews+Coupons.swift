import Foundation

extension CustomerViews {
    private static let redemptionTypes = Set(CouponsEvent.redemptionEvents.map { $0.type })

    /// Coupons' events: `coupon.issued` adds a coupon, a redemption event sets its state. A
    /// redemption may be folded before the issue it follows (it names the survivor of a merge
    /// the view has not folded yet): it makes an entry of its own, which the issue or the
    /// merge completes, so every interleaving ends in the same wallet.
    mutating func foldCoupons(_ type: String, _ sequence: Int64, _ bytes: Data) throws -> String? {
        if Self.redemptionTypes.contains(type) {
            let redemption = try data(Redemption.self, bytes)
            guard let id = liveTarget(redemption.customerId) else { return nil }
            views[id]!.record(CustomerView.Coupon(redemption, sequence: sequence))
            return id
        }
        guard type == CouponsEvent.CouponIssued.type else { return nil }
        let issued = try data(CouponsEvent.CouponIssued.self, bytes)
        guard let id = liveTarget(issued.customerId) else { return nil }
        views[id]!.record(CustomerView.Coupon(issued, sequence: sequence))
        return id
    }

    /// Coupons' snapshot record of a customer (``CouponsSnapshot/Wallet``): each coupon joins
    /// the view as the events it stands for would have, combined by code with what the view
    /// already has (the later state wins; nothing is wiped). Nil when the customer's view is
    /// erased.
    mutating func foldCouponsSnapshot(_ record: SnapshotRecord) throws -> String? {
        let wallet = try record.decode(CouponsSnapshot.Wallet.self)
        guard let id = liveTarget(wallet.customerId) else { return nil }
        for coupon in wallet.coupons { views[id]!.record(coupon) }
        return id
    }
}

extension CustomerView.Coupon {
    /// The coupon as `coupon.issued` at `sequence` left it: usable, with where it was issued
    /// and until when it is valid.
    public init(_ issued: CouponsEvent.CouponIssued, sequence: Int64) {
        self.init(code: issued.code, campaignId: issued.campaignId, state: .issued, issuedChannel: issued.channel,
                  validUntil: issued.validUntil, issuedSequence: sequence, asOf: sequence)
    }

    /// The code as a redemption event at `sequence` left it: `reserved`, `redeemed`, or
    /// `issued` again after a release; the issue's details are not in it.
    public init(_ redemption: Redemption, sequence: Int64) {
        let state: CouponState = switch redemption.state {
        case .reserved: .reserved
        case .redeemed: .redeemed
        case .released: .issued
        }
        self.init(code: redemption.code, campaignId: redemption.campaignId, state: state, issuedChannel: nil, validUntil: nil,
                  issuedSequence: nil, asOf: sequence)
    }
}

extension CustomerView {
    /// Adds `coupon`, or combines it with the entry of the same code: the state of the later
    /// event, the issue's details from whichever has them. Newest issue first.
    mutating func record(_ coupon: Coupon) {
        var combined = coupon
        if let index = coupons.firstIndex(where: { $0.code == coupon.code }) {
            let existing = coupons.remove(at: index)
            let (later, earlier) = existing.asOf > coupon.asOf ? (existing, coupon) : (coupon, existing)
            combined = later
            let issue = later.issuedSequence != nil ? later : earlier
            combined.issuedChannel = issue.issuedChannel
            combined.validUntil = issue.validUntil
            combined.issuedSequence = issue.issuedSequence
        }
        coupons.append(combined)
        coupons.sort { ($0.issuedSequence ?? $0.asOf, $0.code) > ($1.issuedSequence ?? $1.asOf, $1.code) }
    }
}
