import Foundation
import Testing
import KiosqueModel
@testable import KiosqueMail

/// MIME rules checked without a server: encoded words, quoted-printable, header injection.
@Suite("MIME composition")
struct MIMETests {
    @Test func plainSubjectStaysReadable() {
        #expect(HeaderEncoding.unstructured("Daily digest") == "Daily digest")
    }

    @Test func frenchSubjectBecomesEncodedWordsOfWholeCharacters() throws {
        let subject = String(repeating: "Délibérations et arrêtés — été ", count: 4)
        let words = HeaderEncoding.encodedWords(subject)
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: payload, encoding: .utf8) != nil) // each word decodes alone
            decoded += payload
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
    }

    @Test func channelKeysBecomePathSegmentsAsFoundationWouldEncodeThem() {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))
        for key in ["budget", "doc-urbanisme", "a/b", "été 2026", "x?y#z", "100%", "a:b@c!$&'()*+,;=", "~._-", "日本", ""] {
            #expect(DigestWriter.pathComponent(key) == key.addingPercentEncoding(withAllowedCharacters: allowed), "\(key)")
        }
    }

    @Test func boundarySearchOnBytesFindsWhatFoundationFinds() {
        let needle = "=_kiosque_1f"
        for content in ["", "=_", "été =_kiosque_1f", "=_=_kiosque_1f fin", "=_kiosque_1", "é=_kiosque_1fé", "abc =_kiosque_2f"] {
            #expect(ByteSearch.contains(needle, in: content) == content.contains(needle), "\(content)")
        }
    }

    @Test func textThatLooksEncodedIsEncoded() {
        #expect(HeaderEncoding.unstructured("=?UTF-8?B?abc?=").hasPrefix("=?UTF-8?B?"))
    }

    @Test func lineBreaksCannotInjectHeaders() {
        let message = MailMessage(from: MailAddress(address: "a@ville.example"), to: MailAddress(name: "X\r\nBcc: evil@x.example", address: "b@ville.example"),
                                  subject: "Hi\r\nBcc: evil@x.example", messageID: "id@ville.example", date: Date(timeIntervalSince1970: 0), text: "x")
        let text = String(decoding: message.rendered(), as: UTF8.self)
        let headers = text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc:") })
    }

    @Test func quotedPrintableKeepsLinesWithinLimits() {
        let line = String(repeating: "Élu·es, réunion à 18 h = salle des fêtes. ", count: 20)
        let encoded = QuotedPrintable.encode(line + "\nfin \n.point")
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(!line.hasSuffix(" "))
            #expect(!line.hasPrefix("."))
        }
        #expect(QuotedPrintable.encode("é=") == "=C3=A9=3D")
        #expect(QuotedPrintable.encode("a \nb") == "a=20\r\nb")
    }

    /// Decoding gives the text back (line breaks as LF), whatever mix of escapes, dots, blanks
    /// and line breaks it holds, and the worst case (every byte escaped) fits the encoder's buffer.
    @Test func quotedPrintableRoundTrips() {
        func decode(_ encoded: String) -> String {
            let bytes = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n").utf8)
            var out: [UInt8] = [], i = 0
            while i < bytes.count {
                if bytes[i] == 0x3D, i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16) {
                    out.append(v); i += 3
                } else {
                    out.append(bytes[i]); i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "=", ".", " ", "\t", "\n", "\r\n", "\r", "€", "Z", "=\n", " \n", ".\n.", String(repeating: "x", count: 80)]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...120, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            let encoded = QuotedPrintable.encode(text)
            #expect(decode(encoded) == expected, "\(text.debugDescription)")
            #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        }
        let worst = String(repeating: "\u{1}", count: 10_000)
        #expect(decode(QuotedPrintable.encode(worst)) == worst)
    }

    /// 8bit parts: CRLF line ends, the text unchanged; a line over 998 octets, a NUL or the
    /// boundary inside a part sends that part quoted-printable instead; ASCII is labelled 7bit.
    @Test func eightBitPartsOnlyWhenEveryLineFits() {
        func message(_ text: String, html: String? = nil) -> String {
            let m = MailMessage(from: MailAddress(address: "a@ville.example"), to: MailAddress(address: "b@ville.example"),
                                subject: "s", messageID: "id@ville.example", date: Date(timeIntervalSince1970: 0),
                                text: text, html: html, eightBit: true)
            return String(decoding: m.rendered(), as: UTF8.self)
        }
        let french = message("Réunion à 18 h\nsalle des fêtes\r\n.fin")
        #expect(french.contains("Content-Transfer-Encoding: 8bit\r\n\r\nRéunion à 18 h\r\nsalle des fêtes\r\n.fin"))
        #expect(message("plain\nascii").contains("Content-Transfer-Encoding: 7bit\r\n\r\nplain\r\nascii"))
        let long = message(String(repeating: "é", count: 500))
        #expect(long.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(message("a\u{0}b").contains("Content-Transfer-Encoding: quoted-printable"))
        // A feed title cannot end the part early: the boundary is predictable from the Message-ID.
        let boundary = try! #require(message("x", html: "<p>y</p>").firstMatch(of: /boundary="([^"]+)"/)?.1)
        let hostile = message("--\(boundary)--\nContent-Type: text/html\n\n<script>", html: "<p>é</p>")
        #expect(hostile.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"))
        #expect(hostile.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit"))
        #expect(hostile.components(separatedBy: "--\(boundary)").count == 4) // opening, middle, closing: only ours
    }

    @Test func displayNamesAreQuotedOrEncoded() {
        #expect(MailAddress(name: "Intranet", address: "i@v.example").headerValue == "Intranet <i@v.example>")
        #expect(MailAddress(name: "Dupont, Jean", address: "j@v.example").headerValue == "\"Dupont, Jean\" <j@v.example>")
        #expect(MailAddress(name: "Hélène", address: "h@v.example").headerValue.hasPrefix("=?UTF-8?B?"))
        #expect(MailAddress(parsing: "Intranet de la Ville <intranet@ville.example>")?.address == "intranet@ville.example")
        #expect(MailAddress(parsing: "not an address") == nil)
        #expect(!MailAddress.isValid("a@b.example>\r\nRCPT TO:<x@y>"))
    }

    @Test func dateIsRFC5322InEnglish() {
        #expect(MailMessage.rfc5322(Date(timeIntervalSince1970: 1_750_000_000)) == "Sun, 15 Jun 2025 15:06:40 +0000")
    }

    @Test func unsubscribeSignatureIsPerAgentAndKind() {
        let signer = UnsubscribeSigner(key: Data(repeating: 1, count: 32))
        let signature = signer.signature(userID: 42, kind: "digest")
        #expect(signer.verify(userID: 42, kind: "digest", signature: signature))
        #expect(!signer.verify(userID: 43, kind: "digest", signature: signature))
        #expect(!signer.verify(userID: 42, kind: "alert:securite", signature: signature))
        #expect(!UnsubscribeSigner(key: Data(repeating: 2, count: 32)).verify(userID: 42, kind: "digest", signature: signature))
        #expect(signer.path(userID: 42, kind: "digest").hasPrefix("/courriel/desabonnement?u=42&k=digest&s="))
    }

    @Test func schedulePicksTheLastSlot() throws {
        let settings = try MailTown.settings(url: "smtp://127.0.0.1:1")
        let schedule = DigestSchedule(settings) // 07:30 Europe/Paris, Mondays
        let now = Date(timeIntervalSince1970: 1_750_000_000) // Sunday 15 June 2025, 17:06 in Paris
        #expect(MailMessage.rfc5322(schedule.lastSlot("daily", before: now)) == "Sun, 15 Jun 2025 05:30:00 +0000")
        #expect(MailMessage.rfc5322(schedule.lastSlot("weekly", before: now)) == "Mon, 09 Jun 2025 05:30:00 +0000")
    }
}
