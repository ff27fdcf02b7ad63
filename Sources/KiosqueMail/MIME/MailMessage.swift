public import Foundation

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

    /// A message from its parts.
    public init(from: MailAddress, to: MailAddress, subject: String, messageID: String, date: Date,
                text: String, html: String? = nil, unsubscribeURL: String? = nil, listID: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
        self.html = html
        self.unsubscribeURL = unsubscribeURL
        self.listID = listID
    }

    /// The message as sent: headers, then the body parts, CRLF line ends, every line within 78
    /// characters except long unbreakable header values (still far below SMTP's 998).
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
            // "=_" never occurs in quoted-printable output, so the boundary cannot occur in a part.
            let boundary = "=_kiosque_" + String(UInt64(truncatingIfNeeded: Self.stableHash(messageID)), radix: 16)
            head.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = "This is a multi-part message in MIME format.\r\n"
            body += "--\(boundary)\r\n" + Self.part("text/plain", text)
            body += "\r\n--\(boundary)\r\n" + Self.part("text/html", html)
            body += "\r\n--\(boundary)--\r\n"
        } else {
            head.append("Content-Type: text/plain; charset=utf-8")
            head.append("Content-Transfer-Encoding: quoted-printable")
            body = QuotedPrintable.encode(text) + "\r\n"
        }
        return Data((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    private static func part(_ type: String, _ content: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + QuotedPrintable.encode(content)
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
