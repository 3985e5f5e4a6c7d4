import Foundation
@testable import NotificationsService
import OmnibusContracts
import Testing

@Suite("SMTP: the message the e-mail adapter hands over")
struct SMTPMessageTests {
    static let delivery = OutgoingDelivery(
        deliveryId: "ntf-42", customerId: "customer-1", ruleId: "order-ready", channel: .email, address: "giulia@example.it",
        subject: "Il tuo ordine è pronto", body: "Ciao Giulia,\nil tuo ordine è pronto per il ritiro.\n.fine", locale: "it", attempt: 2)

    static let message = SMTPAdapter.message(for: delivery, from: "shop@omnibus.example", date: Date(timeIntervalSince1970: 0))

    @Test("the header set: addresses, RFC 5322 date, MIME base64 text, and the delivery id that stays the same on retries")
    func headers() throws {
        let (headers, _) = try Self.parse(Self.message)
        #expect(headers["From"] == "shop@omnibus.example")
        #expect(headers["To"] == "giulia@example.it")
        #expect(headers["Date"] == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(headers["Message-ID"] == "<ntf-42@omnibus>")
        #expect(headers["X-Omnibus-Delivery-Id"] == "ntf-42")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(headers["Content-Transfer-Encoding"] == "base64")
        #expect(Self.message.hasSuffix("\r\n"))
        #expect(!Self.message.unicodeScalars.contains { $0.value > 0x7E }, "7-bit throughout")
        let retry = SMTPAdapter.message(for: Self.delivery, from: "shop@omnibus.example", date: Date(timeIntervalSince1970: 60))
        #expect(try Self.parse(retry).headers["X-Omnibus-Delivery-Id"] == "ntf-42")
    }

    @Test("a non-ASCII subject is an RFC 2047 encoded-word, the body base64 in 76-character lines; both decode back")
    func encodings() throws {
        let (headers, body) = try Self.parse(Self.message)
        let subject = try #require(headers["Subject"])
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(try Self.decodeWords(subject) == "Il tuo ordine è pronto")
        #expect(body.allSatisfy { $0.utf8.count <= 76 })
        let decoded = try #require(Data(base64Encoded: body.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == Self.delivery.body)

        var long = Self.delivery
        long.subject = String(repeating: "è pronto, ", count: 12)
        let folded = try #require(try Self.parse(SMTPAdapter.message(for: long, from: "shop@omnibus.example", date: Date())).headers["Subject"])
        #expect(folded.split(separator: " ").count > 1 && folded.split(separator: " ").allSatisfy { $0.count <= 75 })
        #expect(try Self.decodeWords(folded) == long.subject)

        var plain = Self.delivery
        plain.subject = "Your order is ready"
        #expect(try Self.parse(SMTPAdapter.message(for: plain, from: "shop@omnibus.example", date: Date())).headers["Subject"] == "Your order is ready")
    }

    @Test("DATA carries CRLF lines, a leading dot doubled, and ends with a lone dot")
    func dotStuffing() {
        let payload = String(decoding: SMTPSession.dataPayload("Subject: x\r\n\r\n.hidden\n..two\nlast"), as: UTF8.self)
        #expect(payload == "Subject: x\r\n\r\n..hidden\r\n...two\r\nlast\r\n.\r\n")
        let built = String(decoding: SMTPSession.dataPayload(Self.message), as: UTF8.self)
        #expect(built == Self.message + ".\r\n", "the built message needs no stuffing: base64 never starts a line with a dot")
    }

    // MARK: - Reading a message back

    struct Malformed: Error {}

    /// The header fields (folded lines joined back) and the body lines.
    static func parse(_ message: String) throws -> (headers: [String: String], body: [String]) {
        let crlf: Character = "\r\n"
        let lines = message.split(separator: crlf, omittingEmptySubsequences: false).map(String.init)
        #expect(!lines.contains { line in line.unicodeScalars.contains { $0 == "\r" || $0 == "\n" } }, "no bare CR or LF")
        let blank = try #require(lines.firstIndex(of: ""))
        var fields: [(name: String, value: String)] = []
        for line in lines[..<blank] {
            if line.hasPrefix(" "), let last = fields.popLast() {
                fields.append((last.name, last.value + line))
            } else {
                let colon = try #require(line.firstIndex(of: ":"))
                fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        #expect(Set(fields.map(\.name)).count == fields.count, "each header once")
        let body: [String] = lines[(blank + 1)...].filter { !$0.isEmpty }
        return (Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }), body)
    }

    /// The text of space-separated `=?UTF-8?B?…?=` words.
    static func decodeWords(_ value: String) throws -> String {
        var bytes = Data()
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { throw Malformed() }
            bytes += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
