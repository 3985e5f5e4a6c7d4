/// Personal coupon codes: 10 random characters and a check character from an alphabet
/// without the look-alikes 0/O and 1/I, printed `K7QM-4XHT-P9C`. The check character
/// (Luhn mod 32) catches every single mistyped character and most swaps of two neighbours,
/// so a till can say "typo" rather than "unknown coupon" — and can do so before asking the
/// service, with ``classify(_:)``.
public enum CouponCode {
    /// The 32 characters a personal code is made of.
    public static let alphabet: [UInt8] = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
    /// Characters in a personal code, the check character included.
    public static let length = 11

    /// What a typed code is, before any lookup.
    public enum Shape: Equatable, Sendable {
        /// A well-formed personal code (normalised, no dashes).
        case personal(String)
        /// Personal-code length, but a character outside the alphabet or a wrong check character.
        case mistyped
        /// Anything else: possibly a campaign's shared code (normalised).
        case other(String)
    }

    /// Upper case, dashes and spaces dropped: how codes are compared.
    public static func normalize(_ typed: String) -> String {
        String(typed.uppercased().unicodeScalars.filter { $0 != "-" && $0 != " " })
    }

    public static func classify(_ typed: String) -> Shape {
        let code = normalize(typed)
        guard code.utf8.count == length else { return .other(code) }
        let digits = code.utf8.map { byte in alphabet.firstIndex(of: byte) }
        guard digits.allSatisfy({ $0 != nil }), checkSum(digits.map { $0! }, startFactor: 1) == 0 else { return .mistyped }
        return .personal(code)
    }

    /// A new random code from the system's cryptographic generator (about 50 bits).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new code from `generator` (tests pass a seeded one).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let body = (0..<length - 1).map { _ in Int.random(in: 0..<alphabet.count, using: &generator) }
        let check = (alphabet.count - checkSum(body, startFactor: 2)) % alphabet.count
        return String(decoding: (body + [check]).map { alphabet[$0] }, as: UTF8.self)
    }

    /// `code` grouped for printing: `K7QM-4XHT-P9C`.
    public static func formatted(_ code: String) -> String {
        let characters = Array(normalize(code))
        return stride(from: 0, to: characters.count, by: 4).map { String(characters[$0..<min($0 + 4, characters.count)]) }
            .joined(separator: "-")
    }

    /// Luhn mod N over `digits`, doubling every other one from the right starting with
    /// `startFactor` (2 to compute a check character, 1 to verify a code that has one).
    private static func checkSum(_ digits: [Int], startFactor: Int) -> Int {
        let base = alphabet.count
        var factor = startFactor
        var sum = 0
        for digit in digits.reversed() {
            let addend = factor * digit
            sum += addend / base + addend % base
            factor = factor == 2 ? 1 : 2
        }
        return sum % base
    }
}
