import Foundation
import OmnibusContracts
import OmnibusService

/// Checks on what channels send, each failing with `invalid_argument` and a sentence.
enum Validation {
    /// A line quantity: 1 to ``OrdersCommand/maxLineQuantity`` (0 too where it removes).
    static func quantity(_ quantity: Int, allowZero: Bool = false) throws {
        let range = (allowZero ? 0 : 1)...OrdersCommand.maxLineQuantity
        guard range.contains(quantity) else {
            throw OmnibusError(.invalidArgument, "quantity must be \(range.lowerBound) to \(range.upperBound); got \(quantity)")
        }
    }

    static func check(_ product: Product) throws {
        try InputCheck.identifier(product.productId, "productId")
        try InputCheck.text(product.name, "name")
        guard (1...100).contains(product.variants.count) else {
            throw OmnibusError(.invalidArgument, "a product has 1 to 100 variants; got \(product.variants.count)")
        }
        guard Set(product.variants.map(\.sku)).count == product.variants.count else {
            throw OmnibusError(.invalidArgument, "a product lists each SKU once")
        }
        for variant in product.variants {
            try InputCheck.identifier(variant.sku, "sku")
            try InputCheck.currency(variant.price.currency)
            guard (0...1_000_000_000_000).contains(variant.price.amountMinor) else {
                throw OmnibusError(.invalidArgument, "price of \(variant.sku) must be 0 to 10^12 minor units")
            }
            guard variant.attributes.count <= 10,
                  variant.attributes.allSatisfy({ (1...64).contains($0.key.utf8.count) && $0.value.utf8.count <= 64 }) else {
                throw OmnibusError(.invalidArgument, "\(variant.sku): at most 10 attributes, names 1 to 64 and values up to 64 bytes")
            }
        }
    }

    static func address(_ address: ShippingAddress) throws {
        try InputCheck.text(address.name, "address.name")
        guard (1...4).contains(address.lines.count) else {
            throw OmnibusError(.invalidArgument, "address.lines must have 1 to 4 lines")
        }
        for line in address.lines { try InputCheck.text(line, "address line") }
        try InputCheck.text(address.postalCode, "address.postalCode", maxLength: 16)
        try InputCheck.text(address.city, "address.city")
        guard address.country.utf8.count == 2, address.country.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw OmnibusError(.invalidArgument, "address.country must be an ISO 3166 code such as DE")
        }
    }

    static func reason(_ reason: String) throws {
        try InputCheck.text(reason, "reason", maxLength: 500)
    }
}
