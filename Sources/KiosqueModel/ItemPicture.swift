import Foundation

/// The picture of an item, for its row on Ma page: where it is and what it shows.
public struct ItemPicture: Sendable, Hashable {
    /// The original (absolute http/https) address.
    public var url: String
    /// The source's alternative text; empty when the picture is decorative or undescribed.
    public var alt: String

    /// A picture at `url` described by `alt`.
    public init(url: String, alt: String) {
        self.url = url
        self.alt = alt
    }

    /// The item's picture: its content's first image, else its own picture (`media:thumbnail`, JSON Feed `image`),
    /// else its first image enclosure (RSS enclosure or `media:content`, Atom `rel="enclosure"`, JSON Feed
    /// attachment). `contentHTML` must be the sanitizer's output.
    public static func of(_ item: ParsedItem) -> ItemPicture? {
        if let html = item.contentHTML, let first = first(inHTML: html) { return first }
        if let image = item.image, isWebAddress(image) { return ItemPicture(url: image, alt: "") }
        for enclosure in item.enclosures where isWebAddress(enclosure.url) {
            let type = enclosure.type?.lowercased() ?? ""
            let path = enclosure.url.lowercased().split(separator: "?").first ?? ""
            if type.hasPrefix("image/") && type != "image/svg+xml"
                || type.isEmpty && [".jpg", ".jpeg", ".png", ".gif", ".webp"].contains(where: { path.hasSuffix($0) }) {
                return ItemPicture(url: enclosure.url, alt: "")
            }
        }
        return nil
    }

    /// The first `<img>` with an http(s) address in sanitized HTML, with its alt text.
    /// On UTF-8 bytes: every stored item's HTML is scanned, most of it without a picture, and
    /// Foundation's `range(of:)` on a String (UTF-16 offsets) took 7 % of a press-shaped fetch cycle.
    public static func first(inHTML html: String) -> ItemPicture? {
        var html = html
        return html.withUTF8 { bytes -> ItemPicture? in
            var from = 0
            while let open = tagStart(in: bytes, from: from) {
                guard let close = bytes[open...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
                let tag = String(decoding: UnsafeBufferPointer(rebasing: bytes[open..<close]), as: UTF8.self)
                let attributes = SanitizedHTML.attributes(of: tag)
                if let source = attributes.first(where: { $0.name == "src" })?.value.map(SanitizedHTML.unescape), isWebAddress(source) {
                    let alt = attributes.first(where: { $0.name == "alt" })?.value.map(SanitizedHTML.unescape) ?? ""
                    return ItemPicture(url: source, alt: alt)
                }
                from = close + 1
            }
            return nil
        }
    }

    /// Where the next `<img` starts at or after `from`.
    private static func tagStart(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var index = from
        while index + 4 <= bytes.count {
            guard let base = bytes.baseAddress,
                  let found = memchr(base + index, Int32(UInt8(ascii: "<")), bytes.count - index) else { return nil }
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if at + 4 <= bytes.count && bytes[at + 1] == UInt8(ascii: "i") && bytes[at + 2] == UInt8(ascii: "m") && bytes[at + 3] == UInt8(ascii: "g") {
                return at
            }
            index = at + 1
        }
        return nil
    }

    static func isWebAddress(_ url: String) -> Bool {
        let lower = url.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}

/// Reading back the sanitizer's own output, where every attribute is written `name="value"` with `&"<>` escaped:
/// a literal `<img` can only be a tag there, so scanning tags is exact.
public enum SanitizedHTML {
    /// `name="value"` pairs (and valueless flags) of a start tag, given without its `>`.
    public static func attributes(of tag: String) -> [(name: String, value: String?)] {
        var result: [(name: String, value: String?)] = []
        var rest = Substring(tag).drop(while: { $0 != " " })  // skip `<name`
        while true {
            rest = rest.drop(while: { $0 == " " || $0 == "/" })
            guard !rest.isEmpty else { break }
            let name = rest.prefix(while: { $0 != "=" && $0 != " " && $0 != "/" })
            rest = rest[name.endIndex...]
            if rest.hasPrefix("=\"") {
                rest = rest.dropFirst(2)
                let value = rest.prefix(while: { $0 != "\"" })
                result.append((String(name).lowercased(), String(value)))
                rest = rest[value.endIndex...].dropFirst()
            } else if name.isEmpty {
                rest = rest.dropFirst()
            } else {
                result.append((String(name).lowercased(), nil))
            }
        }
        return result
    }

    /// An attribute value's text (entities the sanitizer writes decoded).
    public static func unescape(_ value: String) -> String {
        guard value.contains("&") else { return value }
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Text escaped for an attribute value.
    public static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
