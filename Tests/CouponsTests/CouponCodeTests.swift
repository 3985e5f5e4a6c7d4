import OmnibusContracts
import OmnibusTestSupport
import Testing

@Suite("Coupon codes: human-typable, hard to guess, typos told apart")
struct CouponCodeTests {
    @Test("a generated code uses no look-alike characters, reads back as personal, and survives case and dashes")
    func generatedCodesAreWellFormed() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let code = CouponCode.generate()
            #expect(code.utf8.count == CouponCode.length)
            #expect(!code.contains { "0O1I".contains($0) }, "\(code)")
            #expect(CouponCode.classify(code) == .personal(code))
            #expect(CouponCode.classify(CouponCode.formatted(code).lowercased()) == .personal(code))
            seen.insert(code)
        }
        #expect(seen.count == 2_000, "2,000 codes from about 50 bits each are all different")
    }

    @Test("every single mistyped character is caught by the check character")
    func singleSubstitutionsAreMistyped() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<50 {
            let code = Array(CouponCode.generate(using: &generator).utf8)
            for position in code.indices {
                for replacement in CouponCode.alphabet + Array("01OI".utf8) where replacement != code[position] {
                    var typo = code
                    typo[position] = replacement
                    #expect(CouponCode.classify(String(decoding: typo, as: UTF8.self)) == .mistyped)
                }
            }
        }
    }

    @Test("swapping two neighbouring characters is caught almost always")
    func transpositionsAreMostlyCaught() {
        var generator = SeededGenerator(seed: 12)
        var swaps = 0
        var caught = 0
        for _ in 0..<500 {
            let code = Array(CouponCode.generate(using: &generator).utf8)
            for position in 0..<(code.count - 1) where code[position] != code[position + 1] {
                var typo = code
                typo.swapAt(position, position + 1)
                swaps += 1
                if CouponCode.classify(String(decoding: typo, as: UTF8.self)) == .mistyped { caught += 1 }
            }
        }
        // Luhn mod N misses only the swap of two characters whose values sum to N - 1 (1 pair in 31).
        #expect(Double(caught) / Double(swaps) > 0.95, "\(caught) of \(swaps)")
    }

    @Test("a code of another length is not a personal code")
    func otherLengthsAreOther() {
        #expect(CouponCode.classify("summer-10") == .other("SUMMER10"))
        #expect(CouponCode.classify("") == .other(""))
        #expect(CouponCode.formatted("K7QM4XHTP9C") == "K7QM-4XHT-P9C")
    }
}
