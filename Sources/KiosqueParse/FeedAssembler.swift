// Turns a reader's draft into the shared `ParsedFeed`: links made absolute, ids settled,
// authors inherited, content falling back to the summary's HTML, duplicates removed.
internal import Foundation
internal import KiosqueModel

/// Settles what needs the whole document: link bases, id fallbacks, feed-level defaults.
enum FeedAssembler {
    static func assemble(_ draft: FeedDraft, documentURL: String?) -> ParsedFeed {
        let feedLink = draft.link.flatMap { resolve($0, fallback: documentURL) }
        // Relative item links: xml:base, else the document's URL when it is a web address, else the
        // site link (a feed read from a file — a demo source, `kiosque parse FILE` — has no web base).
        let documentIsWeb = documentURL.map { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? false
        let itemBase = documentIsWeb ? documentURL : (feedLink ?? documentURL)
        // The SAX bridge records the document URL as the base of every link outside xml:base; a
        // file's path is no base for web links, so such refs fall back to `itemBase` instead.
        func resolveItem(_ ref: LinkRef) -> String? {
            let base = (!documentIsWeb && ref.base == documentURL) ? nil : ref.base
            return URLResolver.resolve(ref.raw, against: base ?? itemBase)
        }
        var warnings = draft.warnings
        let items = draft.items.map { item -> ParsedItem in
            var link = item.link.flatMap(resolveItem)
            // A permalink guid counts as the link only when it is a full http(s) URL itself:
            // "42" is an id, not a page relative to the feed (feedparser resolves it all the same).
            if link == nil, let guess = item.fallbackLink, URLResolver.trim(guess.raw).map(URLResolver.isAbsoluteHTTP) == true {
                link = resolveItem(guess)
            }
            let title = item.title
            var id = item.id.flatMap(URLResolver.trim)
            if id == nil {
                id = link == nil && title == nil
                    ? StableID.make([item.contentHTML ?? item.summaryHTML?.string, item.published.map(FeedDates.iso8601)])
                    : StableID.make([link, title])
            }
            // Every author, joined, and the feed's when the item names none (as Atom says; feedparser
            // keeps one name and inherits nothing).
            let authors = unique(item.authors.isEmpty ? draft.authors : item.authors)
            var enclosures: [Enclosure] = []
            for raw in item.enclosures {
                guard let url = resolveItem(raw.link), !enclosures.contains(where: { $0.url == url }) else { continue }
                enclosures.append(Enclosure(url: url, type: raw.type.flatMap(PlainText.fromText), length: raw.length))
            }
            // An untitled item (a microblog post, a status) is listed under the start of its text,
            // as feed readers do; feedparser leaves the title empty. The id above never depends on it.
            return ParsedItem(
                id: id ?? "", title: title ?? derivedTitle(item), link: link, published: item.published, updated: item.updated,
                author: authors.isEmpty ? nil : authors.count == 1 ? authors[0] : authors.joined(separator: ", "),
                summary: item.summary, contentHTML: contentHTML(item, link: link),
                categories: unique(item.categories), enclosures: enclosures, image: item.image.flatMap(resolveItem))
        }
        if items.isEmpty && draft.title == nil && feedLink == nil {
            warnings.append("feed has no title, link or items")
        }
        return ParsedFeed(
            format: draft.format, title: draft.title, link: feedLink, subtitle: draft.subtitle,
            language: draft.language.flatMap(PlainText.fromText), updated: draft.updated,
            icon: draft.icon.flatMap { resolve($0, fallback: itemBase) }, items: items, warnings: warnings,
            minimumRefreshInterval: draft.refreshInterval)
    }

    private static func resolve(_ ref: LinkRef, fallback: String?) -> String? {
        URLResolver.resolve(ref.raw, against: ref.base ?? fallback)
    }

    /// The content, else the summary's HTML, with relative URLs resolved against the xml:base
    /// declared around it when that is not the item's own address (the pipeline resolves the rest
    /// against the link).
    private static func contentHTML(_ item: ItemDraft, link: String?) -> String? {
        let (html, base) = nonBlank(item.contentHTML).map { ($0, item.contentBase) }
            ?? (nonBlank(item.summaryHTML?.string), item.summaryBase)
        guard let html, let base, base != link else { return html }
        return HTMLURLs.absolutize(html, base: base)
    }

    /// The longest title taken from an untitled item's text, in characters.
    static let derivedTitleLength = 100

    /// The first words of the item's text, cut at a word boundary with an ellipsis when longer.
    private static func derivedTitle(_ item: ItemDraft) -> String? {
        guard let text = item.summary ?? (item.contentHTML ?? item.summaryHTML?.string).flatMap(PlainText.fromHTML) else { return nil }
        guard text.count > derivedTitleLength else { return text }
        let cut = text.prefix(derivedTitleLength)
        var head = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        while let last = head.last, last.isWhitespace || last.isPunctuation { head = head.dropLast() }
        return head + "…"
    }

    private static func nonBlank(_ s: String?) -> String? {
        guard let s, s.contains(where: { !$0.isWhitespace }) else { return nil }
        return s
    }

    /// Order-preserving de-duplication of non-empty strings.
    static func unique(_ values: [String]) -> [String] {
        if values.count < 8 {
            var kept: [String] = []
            for value in values where !value.isEmpty && !kept.contains(value) { kept.append(value) }
            return kept
        }
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
