import Foundation
import KiosqueModel

/// Writes a digest as a message: plain text and HTML for mail readers (Outlook, Thunderbird,
/// webmail): a table layout with inline styles, no script, no outside image, real headings.
public struct DigestWriter: Sendable {
    /// Sender, links and portal name.
    public let settings: MailSettings
    /// Signs the unsubscribe link.
    public let signer: UnsubscribeSigner

    /// A writer for these settings.
    public init(settings: MailSettings, signer: UnsubscribeSigner) {
        self.settings = settings
        self.signer = signer
    }

    /// The message for `content`; its Message-ID names the agent, the kind and the period's end,
    /// so that a resend of the same digest is recognisable as such.
    public func message(_ content: DigestContent) -> MailMessage {
        let strings = DigestStrings(content)
        let recipient = content.recipient
        let stamp = Self.stamp(content.until)
        let kind = Self.kind(content)
        let unsubscribe = settings.link(signer.path(userID: recipient.userID, kind: kind))
        return MailMessage(
            from: settings.from, to: MailAddress(name: recipient.name, address: recipient.email),
            subject: strings.subject(portal: settings.portalTitle, frequency: recipient.frequency, count: content.itemCount),
            messageID: "kiosque.\(kind.replacingOccurrences(of: ":", with: ".")).\(recipient.userID).\(stamp)@\(settings.from.domain)",
            date: content.until,
            text: text(content, strings), html: html(content, strings, unsubscribe: unsubscribe),
            unsubscribeURL: unsubscribe, listID: "\(kind == "digest" ? "digest" : "alerts").kiosque.\(settings.from.domain)",
            eightBit: settings.mail.eightBit)
    }

    /// What the message is, for its unsubscribe link and Message-ID: "digest", or
    /// "alert:<channel>" for a channel's alert (a recipient whose frequency is "alert").
    static func kind(_ content: DigestContent) -> String {
        guard content.recipient.frequency == "alert", let channel = content.channels.first?.channel.key else { return "digest" }
        return "alert:" + channel
    }

    /// 20240513T053000Z: the period's end in UTC.
    static func stamp(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        style = style.year().month().day().time(includingFractionalSeconds: false)
        let stamp = date.formatted(style).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        // The style leaves out the zone when none is asked for: say UTC explicitly.
        return stamp.hasSuffix("Z") ? stamp : stamp + "Z"
    }

    private func channelLink(_ key: String) -> String { settings.link("/canaux/\(Self.pathComponent(key))") }
    private func itemLink(_ id: Int64) -> String { settings.link("/articles/\(id)") }
    private func announcementLink(_ id: String) -> String { settings.link("/annonces/\(Self.pathComponent(id))") }

    /// The HTML alternative exactly as the message carries it (also the /compte/resume preview).
    public func html(_ content: DigestContent) -> String {
        html(content, DigestStrings(content),
             unsubscribe: settings.link(signer.path(userID: content.recipient.userID, kind: Self.kind(content))))
    }

    /// The plain-text alternative (also what `kiosque digest --preview` prints).
    public func text(_ content: DigestContent) -> String {
        text(content, DigestStrings(content))
    }

    /// One line an entry, its link at the end in angle brackets (RFC 3986, appendix C: how a
    /// plain-text message marks an address, and mail readers make it a link): a relay's work goes
    /// by the line, and a title line wrapped by quoted-printable with the link on a line of its
    /// own made three lines an entry instead of two.
    private func text(_ content: DigestContent, _ s: DigestStrings) -> String {
        var out = s.greeting(content.recipient.name.isEmpty ? content.recipient.login : content.recipient.name) + "\n\n"
        if !content.mustRead.isEmpty {
            out += "\(s.mustReadHeading.uppercased())\n\(s.mustReadIntro)\n"
            for reminder in content.mustRead {
                out += "- \(reminder.title) [\(reminder.department)] <\(announcementLink(reminder.id))>\n"
            }
            out += "\n"
        }
        if !content.pressReviews.isEmpty {
            out += "\(s.pressReviewHeading.uppercased())\n"
            for review in content.pressReviews {
                out += "- \(review.title) [\(review.department)] <\(announcementLink(review.id))>\n"
            }
            out += "\n"
        }
        out += s.intro + "\n"
        func section(_ part: DigestContent.Section) {
            out += "\n== \(part.channel.title) (\(s.unread(part.channel.unread))) ==\n"
            for item in part.news.items {
                out += "- \(item.title.isEmpty ? "—" : item.title) [\(item.sourceTitle)] <\(itemLink(item.id))>\n"
            }
            let more = part.news.count > part.news.items.count ? s.more(part.news.count - part.news.items.count) + " — " : ""
            out += "\(more)\(s.seeAll): <\(channelLink(part.channel.key))>\n"
        }
        content.channels.forEach(section)
        if !content.documents.isEmpty {
            out += "\n\(s.documentsHeading.uppercased())\n"
            content.documents.forEach(section)
        }
        out += "\n-- \n\(s.why)\n\(s.preferences): \(settings.link("/compte"))\n"
        out += "\(s.unsubscribe): \(settings.link(signer.path(userID: content.recipient.userID, kind: Self.kind(content))))\n"
        return out
    }

    private func html(_ content: DigestContent, _ s: DigestStrings, unsubscribe: String) -> String {
        let e = Self.escape
        let font = "font-family:Arial,Helvetica,sans-serif;"
        // Line breaks only between blocks, where HTML ignores them. Quoted-printable (the default)
        // gets none: it then fills every encoded line to 76 characters, where a break after each
        // entry left half-empty lines, and a relay's work goes by the line (aiosmtpd: ~2.3 µs a
        // line, ~0.7 ms a message; 747 → ~600 lines for 150 items). 8bit keeps each block on a
        // line of its own, within SMTP's 998 octets.
        let nl = settings.mail.eightBit ? "\n" : ""
        // One cell per section, its lines as paragraphs that inherit the cell's font (inheritance
        // within a cell holds in every client, Outlook's included); the entries' link and source
        // colours come from the head's <style> (a client that drops it shows its own link colour).
        func entry(_ link: String, _ title: String, _ under: String) -> String {
            "<p><a href=\"\(e(link))\">\(e(title))</a><br><small>\(e(under))</small></p>\(nl)"
        }
        func cell(_ heading: String, color: String = "#1a1a1a", intro: String = "", _ lines: String) -> String {
            "<tr><td style=\"padding:16px 24px 4px 24px;\(font)font-size:15px;line-height:1.4;color:#1a1a1a;\">"
                + "<h2 style=\"margin:0 0 8px 0;font-size:18px;color:\(color);\">\(heading)</h2>\(intro)\(nl)\(lines)</td></tr>\(nl)"
        }
        var rows = ""
        if !content.mustRead.isEmpty {
            rows += cell(e(s.mustReadHeading), color: "#8a1c1c", intro: "<p style=\"margin:0 0 8px 0;font-size:14px;\">\(e(s.mustReadIntro))</p>",
                         content.mustRead.map { entry(announcementLink($0.id), $0.title, $0.department) }.joined())
        }
        if !content.pressReviews.isEmpty {
            rows += cell(e(s.pressReviewHeading), content.pressReviews.map { entry(announcementLink($0.id), $0.title, $0.department) }.joined())
        }
        func section(_ part: DigestContent.Section) {
            let heading = "<a href=\"\(e(channelLink(part.channel.key)))\" style=\"color:#1a1a1a;text-decoration:none;\">\(e(part.channel.title))</a> "
                + "<span style=\"font-size:13px;font-weight:normal;color:#4d4d4d;\">(\(e(s.unread(part.channel.unread))))</span>"
            var lines = ""
            for item in part.news.items { lines += entry(itemLink(item.id), item.title.isEmpty ? "—" : item.title, item.sourceTitle) }
            let more = part.news.count > part.news.items.count ? e(s.more(part.news.count - part.news.items.count)) + " — " : ""
            lines += "<p style=\"margin:0 0 4px 0;font-size:13px;\">\(more)<a href=\"\(e(channelLink(part.channel.key)))\" style=\"color:#0b4f9c;\">\(e(s.seeAll))</a></p>"
            rows += cell(heading, lines)
        }
        content.channels.forEach(section)
        if !content.documents.isEmpty {
            rows += "<tr><td style=\"padding:20px 24px 0 24px;\(font)\"><h2 style=\"margin:0;font-size:20px;color:#1a1a1a;\">\(e(s.documentsHeading))</h2></td></tr>\(nl)"
            content.documents.forEach(section)
        }
        let name = content.recipient.name.isEmpty ? content.recipient.login : content.recipient.name
        let head = "<!DOCTYPE html>\(nl)<html lang=\"\(s.language)\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
            + "<title>\(e(settings.portalTitle))</title>\(nl)"
            + "<style>a{color:#0b4f9c}small{font-size:12px;color:#4d4d4d}p{margin:0 0 8px 0}</style></head>\(nl)"
        let top = "<body style=\"margin:0;padding:0;background:#f2f2f2;\">\(nl)"
            + "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f2f2f2;\"><tr><td align=\"center\" style=\"padding:16px 8px;\">\(nl)"
            + "<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"max-width:600px;width:100%;background:#ffffff;\">\(nl)"
            + "<tr><td style=\"padding:20px 24px;background:#0b4f9c;\(font)\"><h1 style=\"margin:0;font-size:22px;color:#ffffff;\">\(e(settings.portalTitle))</h1></td></tr>\(nl)"
            + "<tr><td style=\"padding:16px 24px 0 24px;\(font)font-size:15px;color:#1a1a1a;\"><p style=\"margin:0 0 8px 0;\">\(e(s.greeting(name)))</p>"
            + "<p style=\"margin:0;\">\(e(s.intro))</p></td></tr>\(nl)"
        let foot = "<tr><td style=\"padding:24px;\(font)font-size:12px;color:#4d4d4d;border-top:1px solid #d9d9d9;\">\(e(s.why))<br>"
            + "<a href=\"\(e(settings.link("/compte")))\" style=\"color:#0b4f9c;\">\(e(s.preferences))</a> · "
            + "<a href=\"\(e(unsubscribe))\" style=\"color:#0b4f9c;\">\(e(s.unsubscribe))</a></td></tr>\(nl)"
            + "</table></td></tr></table>\(nl)</body></html>"
        return head + top + rows + foot
    }

    /// HTML text and attribute escaping (the portal's one escaper).
    static func escape(_ text: String) -> String {
        MarkupEscaping.escape(text)
    }

    /// A channel key as a path segment (keys are slugs, but a document channel's key holds `-`).
    /// The characters of a path segment as Foundation's `urlPathAllowed` minus `/` (`;` is encoded), byte-level: called
    /// for every channel of every digest, where building the character set on each call cost 4 % of a run.
    static func pathComponent(_ key: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(key.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                 UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
