import Foundation
import GRDB
import Logging
import OmnibusBus
import OmnibusClient
import OmnibusContracts
import OmnibusService
import OmnibusTestSupport
@testable import CouponsService

/// A real coupons service in the test process: its own SQLite file in a temporary
/// directory, commands over a real DEALER→ROUTER socket on loopback, seeded with
/// ``CouponsHarness/seed``; optionally consuming real identity and orders services' events.
final class CouponsHarness: CommandTarget, Sendable {
    let directory: TemporaryDirectory
    let context: ZMQContext
    let service: RunningRuntime

    var commands: CommandSender { CommandSender(endpoint: service.endpoints.commands, context: context) }
    var databasePath: String { directory.file("coupons.sqlite") }

    private init(directory: TemporaryDirectory, context: ZMQContext, service: RunningRuntime) {
        self.directory = directory
        self.context = context
        self.service = service
    }

    static func start(sources: [SubscriptionSource] = [], options: CouponsService.Options = CouponsService.Options(seed: seed)) async throws -> CouponsHarness {
        let directory = try TemporaryDirectory()
        let context = try ZMQContext()
        let service = try await RunningRuntime.start(CouponsService.name, in: directory, sources: sources, context: context) {
            try CouponsService.makeRuntime(configuration: $0, options: options, context: $1, logger: $2)
        }
        return CouponsHarness(directory: directory, context: context, service: service)
    }

    func stop() async throws {
        try await service.stop()
        directory.remove()
    }

    /// Runs `body` with a started coupons service and stops it (folder removed) however
    /// `body` ends: a failing `try` in a test leaks no service or folder.
    static func with<Result>(
        sources: [SubscriptionSource] = [], options: CouponsService.Options = CouponsService.Options(seed: seed),
        _ body: (CouponsHarness) async throws -> Result
    ) async throws -> Result {
        try await scoped(try await start(sources: sources, options: options), stop: { try await $0.stop() }, body)
    }

    @discardableResult
    func issue(_ campaignId: String, to customerId: String, channel: String = "email") async throws -> CouponView {
        try await call(IssueCoupon(customerId: customerId, campaignId: campaignId), channel: channel)
    }

    func wallet(_ customerId: String, channel: String = "app") async throws -> Wallet {
        try await call(GetWallet(customerId: customerId), channel: channel)
    }

    func validate(_ code: String, for customerId: String, basket: Basket = CouponsHarness.basket(), channel: String = "web") async throws -> CouponValidation {
        try await call(ValidateCoupon(code: code, customerId: customerId, basket: basket), channel: channel)
    }

    @discardableResult
    func redeem(_ code: String, for customerId: String, basket: Basket = CouponsHarness.basket(), channel: String = "store") async throws -> Redemption {
        try await call(RedeemCoupon(code: code, customerId: customerId, basket: basket), channel: channel)
    }

    @discardableResult
    func reserve(_ code: String, for customerId: String, basket: Basket = CouponsHarness.basket(), checkoutId: String? = nil,
                 holdSeconds: Int? = nil, channel: String = "web") async throws -> Redemption {
        try await call(ReserveCoupon(code: code, customerId: customerId, basket: basket, checkoutId: checkoutId, holdSeconds: holdSeconds),
                       channel: channel)
    }

    @discardableResult
    func upsert(_ campaign: Campaign) async throws -> CampaignView {
        try await call(UpsertCampaign(campaign: campaign), channel: "backoffice")
    }

    /// The refusal reason in a failed reservation's or redemption's error.
    static func reason(of error: OmnibusError) -> CouponRefusal? {
        error.details(as: [String: String].self)?["reason"].flatMap(CouponRefusal.init(rawValue:))
    }

    /// A basket of `lines` lines of `unitPrice` each, quantity 1, SKUs `sku-1`…
    static func basket(total: Int64 = 10_000, currency: String = "EUR", skus: [String] = ["shoe-42"]) -> Basket {
        let each = total / Int64(skus.count)
        return Basket(lines: skus.map { BasketLine(sku: $0, productId: "p-" + $0, quantity: 1, unitPrice: Money(amountMinor: each, currency: currency)) })
    }

    /// Campaigns every test starts with.
    static let seed = CampaignSeed(campaigns: [
        Campaign(campaignId: "welcome", name: "Welcome 10%", discount: Discount(percent: 10)),
        Campaign(campaignId: "five-off", name: "5 EUR off from 30 EUR", discount: Discount(amounts: [Money(amountMinor: 500, currency: "EUR")]),
                 minimumBasket: [Money(amountMinor: 3000, currency: "EUR")]),
        Campaign(campaignId: "store-only", name: "In store only", discount: Discount(percent: 20), channels: ["store"]),
        Campaign(campaignId: "shoes", name: "Shoes 15%", discount: Discount(percent: 15), skus: ["shoe-42"]),
        Campaign(campaignId: "summer", name: "Summer shared code", discount: Discount(percent: 5), budget: 10,
                 perCustomerLimit: 2, sharedCode: "SUMMER10"),
        Campaign(campaignId: "first-order", name: "Thanks for your first order", discount: Discount(percent: 10), autoIssue: [.firstOrder]),
    ])
}
