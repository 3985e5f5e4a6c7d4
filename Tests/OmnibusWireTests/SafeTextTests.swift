import OmnibusWire
import Testing

@Suite("Safe text for logs and error sentences")
struct SafeTextTests {
    @Test func controlCharactersAreEscapedSoTextStaysOnOneLine() {
        #expect(SafeText.escaped("a\nb\r\tc\u{1B}[31md\u{7F}\u{85}\u{2028}", maxBytes: 100) == #"a\nb\r\tc\u{1B}[31md\u{7F}\u{85}\u{2028}"#)
        #expect(SafeText.escaped("grüße, 東京", maxBytes: 100) == "grüße, 東京")
    }

    @Test func textIsCutInBytesNotCharacters() {
        // One character: a letter and 500,000 combining accents, a megabyte of UTF-8.
        let heavy = "e" + String(repeating: "\u{301}", count: 500_000)
        #expect(heavy.count == 1)
        let cut = SafeText.escaped(heavy, maxBytes: 64)
        #expect(cut.utf8.count < 100)
        #expect(cut.hasSuffix("…(\(heavy.utf8.count - 63) more bytes)"), "\(cut)")
        #expect(SafeText.escaped("\n\n\n", maxBytes: 4) == #"\n\n…(1 more bytes)"#)
    }
}
