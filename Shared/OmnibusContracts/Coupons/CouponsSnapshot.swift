/// The coupons service's snapshot (docs/COUPONS.md, "Snapshot"): one `wallet` record per
/// customer with a coupon or a redemption, keyed by the customer id, in id order — the
/// coupons a ``CustomerView`` shows, as coupons' events would have folded them. For a front
/// end that was away longer than coupons keeps its events.
public enum CouponsSnapshot {
    /// The snapshot format coupons serves.
    public static let version = 1
    /// The record kind: its `data` is a ``Wallet``.
    public static let walletKind = "wallet"

    /// A customer's coupons when the snapshot is taken: the personal coupons issued to them
    /// and the shared codes they used, each in the state of the latest event about its code.
    /// Positions (`issuedSequence`, `asOf`) are those of the events they come from; 0 for
    /// what was written before coupons recorded them.
    public struct Wallet: Codable, Sendable, Equatable {
        /// The customer the coupons service holds these under (a merge's survivor; never an
        /// erased customer).
        public var customerId: String
        /// By code, newest issue first, as in ``CustomerView/coupons``.
        public var coupons: [CustomerView.Coupon]

        public init(customerId: String, coupons: [CustomerView.Coupon]) {
            self.customerId = customerId
            self.coupons = coupons
        }
    }
}
