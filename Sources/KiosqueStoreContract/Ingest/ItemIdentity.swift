public import Foundation
public import KiosqueModel

/// Hashes and link normalisation that decide whether two items are "the same" (shared by both
/// store backends, so that an item has the same hashes on SQLite and PostgreSQL).
public enum ItemIdentity {
    /// 64-bit FNV-1a over `parts` (separated so that ("ab","c") ≠ ("a","bc")), as a signed SQLite integer.
    public static func hash(_ parts: String?...) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            if var part {
                // Over the string's own bytes: iterating `utf8` cost as much as the hashing.
                part.withUTF8 { bytes in
                    for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
                }
            } else {
                h = (h ^ 0xFE) &* 0x0000_0100_0000_01B3
            }
            h = (h ^ 0x1F) &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: h)
    }

    /// Query parameters that only track the reader and never change the article.
    private static let trackingPrefixes = ["utm_", "xtor", "fbclid", "gclid", "mc_cid", "mc_eid", "at_medium", "at_campaign"]

    /// The link as it identifies an article across sources: no scheme, no "www.", lowercase host,
    /// no fragment, no tracking parameters, no trailing slash.
    public static func canonicalLink(_ link: String?) -> String? {
        guard let link else { return nil }
        var rest = Substring(link).drop(while: \.isWhitespace)
        while let last = rest.last, last.isWhitespace { rest = rest.dropLast() }
        guard !rest.isEmpty else { return nil }
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            let scheme = rest[..<colon].lowercased()
            guard scheme == "http" || scheme == "https" else { return String(rest) }
            rest = rest[rest.index(colon, offsetBy: 3)...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let hostEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var host = rest[..<hostEnd].lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        let tail = rest[hostEnd...]
        let q = tail.firstIndex(of: "?") ?? tail.endIndex
        var path = String(tail[..<q])
        while path.hasSuffix("/") { path.removeLast() }
        var query = ""
        if q < tail.endIndex {
            let kept = tail[tail.index(after: q)...].split(separator: "&").filter { param in
                let name = param.lowercased()
                return !trackingPrefixes.contains(where: { name.hasPrefix($0) })
            }
            if !kept.isEmpty { query = "?" + kept.joined(separator: "&") }
        }
        return host + path + query
    }
}

/// What both backends store to identify, de-duplicate and order one prepared item.
public struct ItemKeys: Sendable {
    /// The guid's hash (the uniqueness rule within a source).
    public let guidHash: Int64
    /// The plain-text content, nil when empty.
    public let text: String?
    /// The link as it identifies an article across sources.
    public let canonicalLink: String?
    /// The canonical link's hash (one result per article across sources).
    public let linkHash: Int64?
    /// The hash of what an agent sees: a change flags the item as updated.
    public let contentHash: Int64
    /// The item's picture for list thumbnails.
    public let picture: ItemPicture?
    /// The ordering time (Unix seconds): published, else updated, else fetched; never after the fetch.
    public let sortAt: Int64

    /// The keys of `prepared`, fetched at `fetched` (Unix seconds).
    public init(_ prepared: PreparedItem, fetchedAt fetched: Int64) {
        let item = prepared.item
        let identity = prepared.identity ?? Self.identity(of: prepared)
        guidHash = identity.guidHash
        text = prepared.contentText.isEmpty ? nil : prepared.contentText
        canonicalLink = identity.canonicalLink
        linkHash = identity.linkHash
        contentHash = identity.contentHash
        picture = identity.picture
        let dated = (item.published ?? item.updated).map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? fetched
        // A date in the future (clock skew, bad feed) would pin the item on top forever.
        sortAt = min(dated, fetched)
    }

    /// The part of the keys that depends on the item alone: hashes (the content's covers every
    /// field an agent sees), canonical link, picture.
    public static func identity(of prepared: PreparedItem) -> PreparedIdentity {
        let item = prepared.item
        let text = prepared.contentText.isEmpty ? nil : prepared.contentText
        let canonicalLink = ItemIdentity.canonicalLink(item.link)
        return PreparedIdentity(guidHash: ItemIdentity.hash(item.id), canonicalLink: canonicalLink,
                                linkHash: canonicalLink.map { ItemIdentity.hash($0) },
                                contentHash: ItemIdentity.hash(item.title, item.link, item.author, item.summary, item.contentHTML, text),
                                picture: ItemPicture.of(item))
    }

    /// `prepared` with its identity computed now: the refresh pipeline's preparers do it on every
    /// core, so that the store's single writer does not (~5 % of a fetch cycle's CPU).
    public static func identified(_ prepared: PreparedItem) -> PreparedItem {
        var prepared = prepared
        prepared.identity = identity(of: prepared)
        return prepared
    }
}

/// A channel's include/exclude keyword filters, folded for case and accents.
///
/// A keyword matches whole words ("élu" does not match "élues"); a trailing `*` makes it a
/// prefix ("urbanis*" matches "urbanisme"); several words match as a phrase.
public struct ChannelFilter: Sendable {
    let include: [String]
    let exclude: [String]

    /// Creates the filters of a channel from its channels.yml keywords.
    public init(include: [String], exclude: [String]) {
        self.include = include.compactMap(Self.pattern)
        self.exclude = exclude.compactMap(Self.pattern)
    }

    /// Whether every item passes (no need to fold its text).
    public var isEmpty: Bool { include.isEmpty && exclude.isEmpty }

    /// Whether folded text (" word word ") passes the filters.
    public func accepts(folded text: String) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            // A byte search: Foundation's String.contains bridges through NSString and
            // showed up in ingest profiles.
            func has(_ pattern: String) -> Bool {
                var pattern = pattern
                return pattern.withUTF8 { needle in ByteSearch.contains(needle, in: haystack) }
            }
            if exclude.contains(where: has) { return false }
            return include.isEmpty || include.contains(where: has)
        }
    }

    /// The item text the filters look at, folded.
    public static func foldedText(_ item: PreparedItemFields) -> String {
        TextFolding.foldedWords([item.title, item.summary, item.contentText].compactMap { $0 }.joined(separator: " "))
    }

    private static func pattern(_ keyword: String) -> String? {
        let prefix = keyword.hasSuffix("*")
        let folded = TextFolding.foldedWords(prefix ? String(keyword.dropLast()) : keyword)
        guard folded.count > 2 else { return nil }
        return prefix ? String(folded.dropLast()) : folded
    }
}

/// The text fields of an item that filters and hashes read.
public struct PreparedItemFields {
    /// The plain-text title.
    public var title: String?
    /// The plain-text summary.
    public var summary: String?
    /// The plain-text content.
    public var contentText: String?

    /// Creates the fields.
    public init(title: String?, summary: String?, contentText: String?) {
        self.title = title
        self.summary = summary
        self.contentText = contentText
    }
}
