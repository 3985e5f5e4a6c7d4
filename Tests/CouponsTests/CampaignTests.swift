import Foundation
import OmnibusContracts
import OmnibusTestSupport
import Testing
@testable import CouponsService

@Suite("Coupons: campaigns and bad input get typed errors and change nothing")
struct CampaignTests {
    static let lea = "cus_lea"

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let command: String
        let body: JSONValue
        let code: ErrorCode
        var channel = "backoffice"
        var testDescription: String { name }
    }

    static func campaign(_ fields: [String: JSONValue]) -> JSONValue {
        var campaign: [String: JSONValue] = ["campaignId": .string("bad"), "name": .string("Bad"), "discount": .object(["percent": .integer(10)])]
        campaign.merge(fields) { $1 }
        return .object(["campaign": .object(campaign)])
    }

    static func money(_ amount: Int64, _ currency: String) -> JSONValue {
        .object(["amountMinor": .integer(amount), "currency": .string(currency)])
    }

    static let basket: JSONValue = .object(["lines": .array([.object(["sku": .string("shoe-42"), "quantity": .integer(1), "unitPrice": money(5000, "EUR")])])])

    static let cases: [Case] = [
        Case(name: "negative percent", command: UpsertCampaign.name, body: campaign(["discount": .object(["percent": .integer(-5)])]), code: .invalidArgument),
        Case(name: "over 100%", command: UpsertCampaign.name, body: campaign(["discount": .object(["percent": .integer(150)])]), code: .invalidArgument),
        Case(name: "negative amount", command: UpsertCampaign.name, body: campaign(["discount": .object(["amounts": .array([money(-500, "EUR")])])]), code: .invalidArgument),
        Case(name: "both percent and amounts", command: UpsertCampaign.name,
             body: campaign(["discount": .object(["percent": .integer(5), "amounts": .array([money(500, "EUR")])])]), code: .invalidArgument),
        Case(name: "minimum in a currency the amounts lack", command: UpsertCampaign.name,
             body: campaign(["discount": .object(["amounts": .array([money(500, "EUR")])]), "minimumBasket": .array([money(3000, "USD")])]),
             code: .invalidArgument),
        Case(name: "not a currency", command: UpsertCampaign.name, body: campaign(["discount": .object(["amounts": .array([money(500, "euro")])])]), code: .invalidArgument),
        Case(name: "window ending before it starts", command: UpsertCampaign.name,
             body: campaign(["validFrom": .string("2027-01-31T00:00:00Z"), "validUntil": .string("2027-01-01T00:00:00Z")]), code: .invalidArgument),
        Case(name: "a 31 February", command: UpsertCampaign.name, body: campaign(["validUntil": .string("2027-02-31T00:00:00Z")]), code: .invalidArgument),
        Case(name: "unknown auto-issue rule", command: UpsertCampaign.name, body: campaign(["autoIssue": .array([.string("birthday")])]), code: .invalidArgument),
        Case(name: "shared code with punctuation", command: UpsertCampaign.name, body: campaign(["sharedCode": .string("HALF;OFF")]), code: .invalidArgument),
        Case(name: "shared code of another campaign", command: UpsertCampaign.name, body: campaign(["sharedCode": .string("summer10")]), code: .conflict),
        Case(name: "campaign from the app", command: UpsertCampaign.name, body: campaign([:]), code: .forbidden, channel: "app"),
        Case(name: "coupon issued from the store till", command: IssueCoupon.name,
             body: .object(["customerId": .string(lea), "campaignId": .string("welcome")]), code: .forbidden, channel: "store"),
        Case(name: "coupon of an unknown campaign", command: IssueCoupon.name,
             body: .object(["customerId": .string(lea), "campaignId": .string("nope")]), code: .notFound, channel: "email"),
        Case(name: "personal coupon of a shared-code campaign", command: IssueCoupon.name,
             body: .object(["customerId": .string(lea), "campaignId": .string("summer")]), code: .conflict, channel: "email"),
        Case(name: "malformed customer id", command: IssueCoupon.name,
             body: .object(["customerId": .string("lea@example.com"), "campaignId": .string("welcome")]), code: .invalidArgument, channel: "email"),
        Case(name: "a 100-character code", command: RedeemCoupon.name,
             body: .object(["code": .string(String(repeating: "A", count: 100)), "customerId": .string(lea), "basket": basket]),
             code: .invalidArgument, channel: "store"),
        Case(name: "an empty basket", command: ValidateCoupon.name,
             body: .object(["code": .string("SUMMER10"), "customerId": .string(lea), "basket": .object(["lines": .array([])])]),
             code: .invalidArgument, channel: "web"),
        Case(name: "a basket in two currencies", command: ValidateCoupon.name,
             body: .object(["code": .string("SUMMER10"), "customerId": .string(lea), "basket": .object(["lines": .array([
                 .object(["sku": .string("a"), "quantity": .integer(1), "unitPrice": money(100, "EUR")]),
                 .object(["sku": .string("b"), "quantity": .integer(1), "unitPrice": money(100, "USD")]),
             ])])]),
             code: .invalidArgument, channel: "web"),
        Case(name: "a negative price", command: ValidateCoupon.name,
             body: .object(["code": .string("SUMMER10"), "customerId": .string(lea), "basket": .object(["lines": .array([
                 .object(["sku": .string("a"), "quantity": .integer(1), "unitPrice": money(-100, "EUR")]),
             ])])]),
             code: .invalidArgument, channel: "web"),
        Case(name: "a line worth more than 10^12", command: ValidateCoupon.name,
             body: .object(["code": .string("SUMMER10"), "customerId": .string(lea), "basket": .object(["lines": .array([
                 .object(["sku": .string("a"), "quantity": .integer(999), "unitPrice": money(1_000_000_000_000, "EUR")]),
             ])])]),
             code: .invalidArgument, channel: "web"),
        Case(name: "a hold of a year", command: ReserveCoupon.name,
             body: .object(["code": .string("SUMMER10"), "customerId": .string(lea), "basket": basket, "holdSeconds": .integer(31_536_000)]),
             code: .invalidArgument, channel: "web"),
        Case(name: "an unknown redemption", command: ConfirmRedemption.name, body: .object(["redemptionId": .string("red_nope")]), code: .notFound, channel: "web"),
    ]

    @Test("refused with a typed error, nothing written", arguments: cases)
    func refused(_ testCase: Case) async throws {
        try await CouponsHarness.with { coupons in
            let head = try await coupons.commands.health().head
            let reply = try await coupons.sendRaw(testCase.command, testCase.body, channel: testCase.channel)
            #expect(reply.error?.code == testCase.code, "\(String(describing: reply.error))")
            #expect(try await coupons.commands.health().head == head, "no event was written")
            #expect(try await coupons.call(ListCampaigns()).campaigns.count == CouponsHarness.seed.campaigns.count)
        }
    }

    @Test("a 10 MB code is refused as too large, and the service goes on")
    func tenMegabyteCode() async throws {
        try await CouponsHarness.with { coupons in
            let huge = String(repeating: "K", count: 10 << 20)
            let reply = try await coupons.sendRaw(RedeemCoupon.name, .object(["code": .string(huge), "customerId": .string(Self.lea), "basket": Self.basket]),
                                                  channel: "store")
            #expect(reply.error?.code == .tooLarge)
            #expect(try await coupons.validate("SUMMER10", for: Self.lea).valid)
        }
    }

    @Test("campaigns are seeded once, changed from the back office, announced, and counted")
    func campaignLifecycle() async throws {
        try await CouponsHarness.with { coupons in
            let list = try await coupons.call(ListCampaigns())
            #expect(list.campaigns.map(\.campaign.campaignId) == CouponsHarness.seed.campaigns.map(\.campaignId).sorted())
            var summer = try await coupons.call(GetCampaign(campaignId: "summer")).campaign
            #expect(summer.sharedCode == "SUMMER10")
            summer.budget = 1
            try await coupons.upsert(summer)
            try await coupons.redeem("summer10", for: Self.lea)
            let view = try await coupons.call(GetCampaign(campaignId: "summer"))
            #expect(view.redeemed == 1 && view.campaign.budget == 1)
            #expect(try await coupons.validate("SUMMER10", for: "cus_max").reason == .budgetExhausted)
            let upserted = try coupons.service.loggedEvents(CouponsEvent.CampaignUpserted.type, as: Campaign.self)
            #expect(upserted.count == CouponsHarness.seed.campaigns.count + 1)
            #expect(upserted.last?.data == summer)
        }
    }
}

/// The service takes exactly its contract's commands: a client built from the contract never meets `unknown_command`.
@Suite("Coupons takes exactly its contract's commands")
struct CouponsRegisteredContractsTests {
    @Test func coupons() {
        #expect(CouponsService.commands().commandNames == CouponsCommand.all.map { $0.name }.sorted())
    }
}
