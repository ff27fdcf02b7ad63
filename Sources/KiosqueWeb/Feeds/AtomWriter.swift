import Foundation
import KiosqueStoreContract

/// Writes Atom 1.0 (RFC 4287) for a channel or an agent's page: every text escaped, dates in UTC.
struct AtomWriter {
    let baseURL: String

    struct Entry {
        var id: Int64
        var title: String
        var link: String?
        var published: Date?
        var updated: Date
        var author: String?
        var summary: String?
        var contentHTML: String?
        var category: String?
    }

    func feed(id path: String, title: String, subtitle: String?, updated: Date, entries: [Entry]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
        xml += "  <id>\(escape(absolute(path)))</id>\n"
        xml += "  <title>\(escape(title))</title>\n"
        if let subtitle, !subtitle.isEmpty { xml += "  <subtitle>\(escape(subtitle))</subtitle>\n" }
        xml += "  <updated>\(date(updated))</updated>\n"
        xml += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(escape(absolute(path)))\"/>\n"
        xml += "  <link rel=\"alternate\" type=\"text/html\" href=\"\(escape(absolute(path.replacingOccurrences(of: ".atom", with: ""))))\"/>\n"
        xml += "  <generator>Kiosque</generator>\n"
        for entry in entries {
            xml += "  <entry>\n"
            xml += "    <id>\(escape(absolute("/articles/\(entry.id)")))</id>\n"
            xml += "    <title type=\"text\">\(escape(entry.title))</title>\n"
            if let link = publishableLink(entry.link) {
                let href = link.hasPrefix("/") ? absolute(link) : link
                xml += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(escape(href))\"/>\n"
            }
            xml += "    <link rel=\"related\" type=\"text/html\" href=\"\(escape(absolute("/articles/\(entry.id)")))\"/>\n"
            if let published = entry.published { xml += "    <published>\(date(published))</published>\n" }
            xml += "    <updated>\(date(entry.updated))</updated>\n"
            xml += "    <author><name>\(escape(entry.author.flatMap { $0.isEmpty ? nil : $0 } ?? "Kiosque"))</name></author>\n"
            if let category = entry.category { xml += "    <category term=\"\(escape(category))\"/>\n" }
            if let summary = entry.summary, !summary.isEmpty { xml += "    <summary type=\"text\">\(escape(summary))</summary>\n" }
            if let html = entry.contentHTML, !html.isEmpty { xml += "    <content type=\"html\">\(escape(html))</content>\n" }
            xml += "  </entry>\n"
        }
        xml += "</feed>\n"
        return xml
    }

    static func entry(_ item: ItemSummary, content: String? = nil) -> Entry {
        Entry(id: item.id, title: item.title ?? "—", link: item.link, published: item.published, updated: item.sortDate,
              author: item.author, summary: item.summary, contentHTML: content, category: item.channel?.title)
    }

    private func absolute(_ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + path
    }

    private func date(_ date: Date) -> String { date.formatted(.iso8601) }

    /// XML text and attribute escaping; characters XML 1.0 forbids are dropped.
    func escape(_ text: String) -> String {
        markupEscape(text, xml: true)
    }
}
