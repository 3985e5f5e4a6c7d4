/// An amount in a currency's minor units (cents for EUR), so sums are exact.
public struct Money: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Minor units, e.g. 8999 for 89.99 EUR.
    public var amountMinor: Int64
    /// ISO 4217 code, three capital letters.
    public var currency: String

    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// `currency` is three capital ASCII letters.
    public static func isValidCurrency(_ currency: String) -> Bool {
        currency.utf8.count == 3 && currency.utf8.allSatisfy { (65...90).contains($0) }
    }

    /// This amount times `quantity`.
    public func times(_ quantity: Int) -> Money {
        Money(amountMinor: amountMinor * Int64(quantity), currency: currency)
    }

    public var description: String { "\(amountMinor) \(currency) (minor units)" }
}
