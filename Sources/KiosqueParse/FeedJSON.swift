// The stable JSON contract of `kiosque parse --json`, written by hand so that key order,
// escaping and date format never depend on Foundation's encoder.
public import Foundation
public import KiosqueModel

/// Encodes a `ParsedFeed` as the `kiosque parse --json` contract.
public enum FeedJSON {
    /// One JSON object: format, title, link, subtitle, language, updated, items, warnings (null when missing).
    public static func encode(_ feed: ParsedFeed) -> Data {
        var w = JSONWriter()
        w.open("{")
        w.key("format"); w.string(feed.format.rawValue)
        w.key("title"); w.string(feed.title)
        w.key("link"); w.string(feed.link)
        w.key("subtitle"); w.string(feed.subtitle)
        w.key("language"); w.string(feed.language)
        w.key("updated"); w.string(feed.updated.map(FeedDates.iso8601))
        w.key("items"); w.open("[")
        for item in feed.items {
            w.element(); w.open("{")
            w.key("id"); w.string(item.id)
            w.key("title"); w.string(item.title)
            w.key("link"); w.string(item.link)
            w.key("published"); w.string(item.published.map(FeedDates.iso8601))
            w.key("updated"); w.string(item.updated.map(FeedDates.iso8601))
            w.key("author"); w.string(item.author)
            w.key("summary"); w.string(item.summary)
            w.key("content_html"); w.string(item.contentHTML)
            w.key("categories"); w.open("[")
            for category in item.categories { w.element(); w.string(category) }
            w.close("]")
            w.key("enclosures"); w.open("[")
            for enclosure in item.enclosures {
                w.element(); w.open("{")
                w.key("url"); w.string(enclosure.url)
                w.key("type"); w.string(enclosure.type)
                w.key("length"); w.number(enclosure.length)
                w.close("}")
            }
            w.close("]")
            w.close("}")
        }
        w.close("]")
        w.key("warnings"); w.open("[")
        for warning in feed.warnings { w.element(); w.string(warning) }
        w.close("]")
        w.close("}")
        return Data(w.out)
    }
}

/// A minimal streaming JSON writer (commas tracked per nesting level).
private struct JSONWriter {
    var out: [UInt8] = []
    private var needsComma: [Bool] = []

    mutating func open(_ bracket: Character) {
        out.append(contentsOf: String(bracket).utf8)
        needsComma.append(false)
    }

    mutating func close(_ bracket: Character) {
        needsComma.removeLast()
        out.append(contentsOf: String(bracket).utf8)
    }

    /// Starts an array element (writes the separating comma).
    mutating func element() {
        if needsComma[needsComma.count - 1] { out.append(0x2C) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func key(_ name: String) {
        element()
        string(name)
        out.append(0x3A)
    }

    mutating func number(_ value: Int64?) {
        out.append(contentsOf: (value.map(String.init) ?? "null").utf8)
    }

    mutating func string(_ value: String?) {
        guard let value else { out.append(contentsOf: "null".utf8); return }
        out.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
