public import Foundation
import KiosqueModel

/// One message as Kiosque sends it: headers, a plain-text part and an optional HTML part
/// (multipart/alternative), rendered as RFC 5322 text with CRLF line ends.
public struct MailMessage: Sendable, Hashable {
    /// The sender (mail.from).
    public var from: MailAddress
    /// The one recipient: Kiosque sends each agent their own message.
    public var to: MailAddress
    /// The subject, any language (encoded when not ASCII).
    public var subject: String
    /// The Message-ID without angle brackets, derived from what the message is (agent, kind, period).
    public var messageID: String
    /// When the message was composed.
    public var date: Date
    /// The plain-text body.
    public var text: String
    /// The HTML body, when there is one.
    public var html: String?
    /// The one-click unsubscribe address (RFC 8058), when the message belongs to a subscription.
    public var unsubscribeURL: String?
    /// A List-Id (RFC 2919) naming the kind of message, so that agents can filter on it.
    public var listID: String?
    /// Whether parts may go as UTF-8 `8bit` (RFC 6152, `mail.eight_bit`). A relay handles a
    /// message line by line: 8bit keeps a digest's rows whole where quoted-printable cuts them
    /// every 76 characters (about 5 times as many lines). A part with a line over 998 octets,
    /// or holding the boundary, still goes quoted-printable.
    public var eightBit: Bool

    /// A message from its parts.
    public init(from: MailAddress, to: MailAddress, subject: String, messageID: String, date: Date,
                text: String, html: String? = nil, unsubscribeURL: String? = nil, listID: String? = nil,
                eightBit: Bool = false) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
        self.html = html
        self.unsubscribeURL = unsubscribeURL
        self.listID = listID
        self.eightBit = eightBit
    }

    /// The message as sent: headers, then the body parts, CRLF line ends; header lines within 78
    /// characters except long unbreakable values, body lines within 76 (quoted-printable) or
    /// 998 octets (7bit/8bit parts).
    public func rendered() -> Data {
        var head: [String] = [
            HeaderEncoding.field("From", from.headerValue),
            HeaderEncoding.field("To", to.headerValue),
            HeaderEncoding.field("Subject", HeaderEncoding.unstructured(subject)),
            "Date: " + Self.rfc5322(date),
            "Message-ID: <\(HeaderEncoding.singleLine(messageID))>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            // Asks autoresponders not to answer (de facto, Microsoft Exchange).
            "X-Auto-Response-Suppress: All",
        ]
        if let listID { head.append(HeaderEncoding.field("List-Id", "<\(HeaderEncoding.singleLine(listID))>")) }
        if let unsubscribeURL {
            head.append("List-Unsubscribe: <\(HeaderEncoding.singleLine(unsubscribeURL))>")
            head.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        var body = ""
        if let html {
            // "=_" never occurs in quoted-printable output, and an 8bit part holding the boundary
            // goes quoted-printable, so the boundary cannot occur in a part.
            let boundary = "=_kiosque_" + String(UInt64(truncatingIfNeeded: Self.stableHash(messageID)), radix: 16)
            head.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = "This is a multi-part message in MIME format.\r\n"
            body += "--\(boundary)\r\n" + part("text/plain", text, boundary: boundary)
            body += "\r\n--\(boundary)\r\n" + part("text/html", html, boundary: boundary)
            body += "\r\n--\(boundary)--\r\n"
        } else {
            let (encoding, encoded) = Self.encode(text, eightBit: eightBit, boundary: nil)
            head.append("Content-Type: text/plain; charset=utf-8")
            head.append("Content-Transfer-Encoding: \(encoding)")
            body = encoded + "\r\n"
        }
        return Data((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    private func part(_ type: String, _ content: String, boundary: String) -> String {
        let (encoding, encoded) = Self.encode(content, eightBit: eightBit, boundary: boundary)
        return "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n" + encoded
    }

    /// `content` with its transfer encoding: as it is (`7bit` or `8bit`, CRLF line ends) when
    /// `eightBit` allows and every line fits SMTP's 998 octets with no NUL and no `boundary` in
    /// it; quoted-printable otherwise.
    static func encode(_ content: String, eightBit: Bool, boundary: String?) -> (encoding: String, body: String) {
        if eightBit, let (lines, ascii) = Self.unencodedLines(content), boundary.map({ !ByteSearch.contains($0, in: content) }) ?? true {
            return (ascii ? "7bit" : "8bit", lines)
        }
        return ("quoted-printable", QuotedPrintable.encode(content))
    }

    /// `content` with CRLF line ends and whether it is all ASCII; nil when a line is longer than
    /// 998 octets or a NUL occurs (RFC 5322 §2.1.1, RFC 6152).
    private static func unencodedLines(_ content: String) -> (String, Bool)? {
        var content = content
        return content.withUTF8 { bytes -> (String, Bool)? in
            var lineLength = 0, ascii = true, breaks = 0
            for byte in bytes {
                switch byte {
                case 0x0A, 0x0D: lineLength = 0; breaks += 1
                case 0x00: return nil
                default:
                    lineLength += 1
                    if lineLength > 998 { return nil }
                    if byte >= 0x80 { ascii = false }
                }
            }
            // Fast path: nothing to rewrite when there is no line break at all.
            if breaks == 0 { return (String(decoding: bytes, as: UTF8.self), ascii) }
            let crlf = String(unsafeUninitializedCapacity: bytes.count + breaks + 2) { output in
                var written = 0, index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == 0x0D || byte == 0x0A {
                        output[written] = 0x0D; output[written + 1] = 0x0A; written += 2
                        if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                    } else {
                        output[written] = byte; written += 1
                    }
                    index += 1
                }
                return written
            }
            return (crlf, ascii)
        }
    }

    /// FNV-1a, stable across runs (Swift's `hashValue` is seeded per process).
    private static func stableHash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    /// RFC 5322 date ("Mon, 13 May 2024 07:30:00 +0000"), in English whatever the locale.
    static func rfc5322(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}
