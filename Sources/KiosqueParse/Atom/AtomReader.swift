// Atom 1.0 and 0.3. Text constructs are read by their type: text stays text, html is decoded
// for titles and kept for content, xhtml is re-serialized from the inline elements.
internal import Foundation
internal import KiosqueModel

/// The kind of an Atom text construct (`type`, or 0.3's `type` MIME + `mode`).
enum AtomTextKind {
    case text, html, xhtml, other

    /// `mode="base64"` is read as the kind its type names: the bytes are decoded first (`AtomReader`).
    static func of(type: String?, mode: String?) -> AtomTextKind {
        let type = type?.lowercased() ?? "text"
        switch type {
        case "text", "text/plain": return .text
        case "html", "text/html": return mode == "xml" ? .xhtml : .html
        case "xhtml", "application/xhtml+xml": return mode == "escaped" ? .html : .xhtml
        default: return type.hasPrefix("text/") ? .text : .other
        }
    }

    /// A media type whose content Atom 1.0 base64-encodes: neither `text/*` nor XML.
    static func isBase64MediaType(_ type: String) -> Bool {
        let type = type.lowercased()
        return type.contains("/") && !type.hasPrefix("text/") && !type.hasSuffix("+xml") && !type.hasSuffix("/xml")
    }

    var captureMode: CaptureMode { self == .xhtml ? .xhtml : (self == .html ? .markup : .text) }
}

/// Reads Atom documents into a `FeedDraft`.
final class AtomReader: SAXReader {
    // Written on nearly every element by this reader alone, never while another access to them is
    // open (warning places read `entryNumber`, not `draft`): no dynamic exclusivity checks.
    @exclusivity(unchecked) private var rootDepth = -1, entryDepth = -1, authorDepth = -1, skipDepth = -1
    @exclusivity(unchecked) private var item = ItemDraft()
    private var feedLinks: [AtomLink] = [], entryLinks: [AtomLink] = []
    /// A `<link>` whose URL is its text, waiting for that text; the feed's id when it is a web address.
    private var textLink = AtomLink(href: "", rel: "alternate"), feedID: String?
    private var textKind = AtomTextKind.text
    /// The text construct being read is base64 (Atom 0.3's `mode="base64"`): decoded at its end.
    private var textIsBase64 = false
    private var icon: LinkRef?, logo: LinkRef?
    /// The current author's name and email: the email stands in for a missing name.
    private var authorName: String?, authorEmail: String?
    /// FeedBurner's record of the real article URL (its own feedproxy links are dead).
    private var origLink: LinkRef?
    private var entryNumber = 0

    override init(format: FeedFormat) { super.init(format: format) }

    private func isAtom(_ ns: XMLNamespace) -> Bool { ns == .atom || ns == .atom03 || ns == .none }

    override func start(_ name: XMLName, _ attributes: SAXAttributes, _ bridge: SAXBridge) {
        let depth = bridge.depth
        if skipDepth >= 0 { return }
        if rootDepth < 0 {
            rootDepth = depth
            draft.language = bridge.attribute(.lang, ns: .xml, in: attributes)
            guard name.local == .entry else { return }
            rootDepth = depth - 1 // an Atom entry document: its one entry is the feed's one item
        }
        let inEntry = entryDepth >= 0
        let direct = depth == (inEntry ? entryDepth : rootDepth) + 1
        if authorDepth >= 0 {
            if depth == authorDepth + 1 && isAtom(name.ns) && (name.local == .name || name.local == .email) { bridge.capture(.text) }
            return
        }
        switch (name.ns, name.local) {
        case (let ns, .entry) where isAtom(ns) && !inEntry && direct:
            entryDepth = depth
            entryNumber += 1
            item = ItemDraft()
            entryLinks = []
            origLink = nil
        case (let ns, .source) where isAtom(ns) && inEntry:
            skipDepth = depth // a copied entry's source feed metadata is not this entry's
        case (let ns, .author) where isAtom(ns) && direct:
            authorDepth = depth
            authorName = nil
            authorEmail = nil
        case (let ns, .link) where isAtom(ns) && direct:
            // `<link>https://…</link>`: the URL written as text by some generators.
            // Its rel and type still apply: `<link rel="enclosure">…</link>` is no alternate.
            guard let href = bridge.attribute(.href, in: attributes) else {
                textLink = AtomLink(href: "", rel: bridge.attribute(.rel, in: attributes) ?? "alternate",
                                    type: bridge.attribute(.type, in: attributes), length: bridge.attribute(.length, in: attributes))
                bridge.capture(.text)
                break
            }
            guard URLResolver.trim(href) != nil else { break } // `href=""` names no page
            var link = AtomLink(href: href, rel: bridge.attribute(.rel, in: attributes) ?? "alternate",
                                type: bridge.attribute(.type, in: attributes),
                                length: bridge.attribute(.length, in: attributes))
            link.base = bridge.currentBase
            if inEntry { entryLinks.append(link) } else { feedLinks.append(link) }
        case (let ns, .category) where isAtom(ns) && direct:
            // The term is the category (what feeds filter and link on); the label only names it for
            // display and stands in when a feed forgets the term (RFC 4287 §4.2.2).
            let term = bridge.attribute(.term, in: attributes).flatMap(PlainText.fromText)
            if inEntry, let value = term ?? bridge.attribute(.label, in: attributes).flatMap(PlainText.fromText) {
                item.categories.append(value)
            }
        case (let ns, .title) where isAtom(ns) && direct, (let ns, .subtitle) where isAtom(ns) && direct,
             (let ns, .tagline) where isAtom(ns) && direct, (let ns, .summary) where isAtom(ns) && direct,
             (let ns, .content) where isAtom(ns) && direct:
            let mode = bridge.attribute(.mode, in: attributes), type = bridge.attribute(.type, in: attributes)
            // Atom 1.0 base64-encodes any media type that is neither text nor XML (RFC 4287 §4.1.3.3).
            textIsBase64 = mode == "base64" || (mode == nil && type.map(AtomTextKind.isBase64MediaType) == true)
            textKind = AtomTextKind.of(type: type, mode: mode)
            if name.local == .content, bridge.attribute(.src, in: attributes) != nil { textKind = .other }
            bridge.capture(textIsBase64 ? .text : textKind.captureMode)
        case (let ns, .id) where isAtom(ns) && direct, (let ns, .updated) where isAtom(ns) && direct,
             (let ns, .published) where isAtom(ns) && direct, (let ns, .modified) where isAtom(ns) && direct,
             (let ns, .issued) where isAtom(ns) && direct, (let ns, .created) where isAtom(ns) && direct,
             (let ns, .icon) where isAtom(ns) && direct, (let ns, .logo) where isAtom(ns) && direct:
            bridge.capture(.text)
        case (.media, .content) where inEntry:
            if let url = bridge.attribute(.url, in: attributes) {
                item.enclosures.append((LinkRef(raw: url, base: bridge.currentBase), bridge.attribute(.type, in: attributes),
                                        FieldValues.length(bridge.attribute(.fileSize, in: attributes))))
            }
        case (.media, .description) where inEntry:
            bridge.capture(.text)
        case (.dc, .creator) where direct, (.dc, .author) where direct, (.dc, .subject) where direct, (.dc, .date) where direct,
             (.dcterms, .modified) where direct, (.dcterms, .issued) where direct, (.dcterms, .created) where direct,
             (.feedburner, .origLink) where direct && inEntry:
            bridge.capture(.text)
        default:
            break
        }
    }

    override func end(_ name: XMLName, _ bridge: SAXBridge) {
        let depth = bridge.depth
        if skipDepth >= 0 {
            if depth == skipDepth { skipDepth = -1 }
            return
        }
        var text: String { bridge.captured }
        if authorDepth >= 0 {
            if depth == authorDepth {
                authorDepth = -1
                if let author = authorName ?? authorEmail {
                    if entryDepth >= 0 { item.authors.append(author) } else { draft.authors.append(author) }
                }
            } else if name.local == .name {
                authorName = bridge.capturedCollapsed ?? authorName
            } else if name.local == .email {
                authorEmail = bridge.capturedCollapsed ?? authorEmail
            }
            return
        }
        if depth == entryDepth {
            finishEntry()
            return
        }
        guard bridge.hasCaptured else { return }
        if entryDepth >= 0 { endEntryField(name, bridge) } else if depth == rootDepth + 1 { endFeedField(name, bridge) }
    }

    /// Where a warning points; read from a counter, not from `draft`, which is being mutated.
    private func place(_ field: String) -> String { "entry \(entryNumber) \(field)" }

    private func endEntryField(_ name: XMLName, _ bridge: SAXBridge) {
        var text: String { bridge.captured }
        switch (name.ns, name.local) {
        case (.media, .description):
            // YouTube and other media feeds carry their only text there: summary, and content when none.
            if item.summary == nil { item.summary = PlainText.fromText(text) }
            if item.summaryHTML == nil { item.summaryHTML = DeferredHTML(string: bridge.capturedEscaped) }
        case (.dc, .creator), (.dc, .author): if let a = FieldValues.author(text) { item.authors.append(a) }
        case (.dc, .subject): if let c = PlainText.fromText(text) { item.categories.append(c) }
        // Dublin Core dates stand in for Atom's own when an entry has none (some CMS export only these).
        case (.dc, .date), (.dcterms, .issued), (.dcterms, .created):
            if item.published == nil { item.published = bridge.capturedDate(&draft, at: place("dc:date")) }
        case (.dcterms, .modified):
            if item.updated == nil { item.updated = bridge.capturedDate(&draft, at: place("dcterms:modified")) }
        case (let ns, .title) where textIsBase64 && isAtom(ns), (let ns, .summary) where textIsBase64 && isAtom(ns),
             (let ns, .content) where textIsBase64 && isAtom(ns):
            guard let (html, plain) = decodedBase64(bridge) else { break }
            switch name.local {
            case .title: item.title = plain
            case .summary: item.summary = plain; item.summaryHTML = DeferredHTML(string: html)
            default: item.contentHTML = html
            }
        case (.feedburner, .origLink): origLink = URLResolver.trim(text).map { LinkRef(raw: $0, base: bridge.currentBase) }
        case (let ns, _) where isAtom(ns):
            switch name.local {
            case .id:
                let id = text
                item.id = id
                // An entry without any usable link is reached at its id when that is a web address.
                if URLResolver.trim(id).map(URLResolver.isAbsoluteHTTP) == true { item.fallbackLink = LinkRef(raw: id, base: nil) }
            case .link:
                if let href = URLResolver.trim(text) {
                    textLink.href = href
                    textLink.base = bridge.currentBase
                    entryLinks.append(textLink)
                }
            case .title: item.title = plain(bridge)
            case .summary where textKind != .other:
                let summary = plain(bridge)
                item.summary = summary
                item.summaryHTML = bridge.capturedHTML(plain: summary, isText: textKind == .text)
                item.summaryBase = bridge.declaredBase
            case .content where textKind != .other:
                item.contentHTML = textKind == .text ? bridge.capturedEscaped : text
                item.contentBase = bridge.declaredBase
            case .published, .issued:
                item.published = bridge.capturedDate(&draft, at: place(name.local == .published ? "published" : "issued"))
            case .created where item.published == nil: // Atom 0.3: issued is the publication date
                item.published = bridge.capturedDate(&draft, at: place("created"))
            case .updated, .modified:
                item.updated = bridge.capturedDate(&draft, at: place(name.local == .updated ? "updated" : "modified"))
            default: break
            }
        default: break
        }
    }

    private func endFeedField(_ name: XMLName, _ bridge: SAXBridge) {
        var text: String { bridge.captured }
        switch (name.ns, name.local) {
        case (.dc, .creator), (.dc, .author): if let a = FieldValues.author(text) { draft.authors.append(a) }
        case (.dc, .date), (.dcterms, .modified): if draft.updated == nil { draft.updated = draft.date(text, at: "feed \(name.local)") }
        case (let ns, .title) where textIsBase64 && isAtom(ns): draft.title = decodedBase64(bridge)?.plain
        case (let ns, _) where isAtom(ns):
            switch name.local {
            case .title: draft.title = plain(bridge)
            case .subtitle, .tagline: draft.subtitle = plain(bridge)
            case .updated, .modified: draft.updated = draft.date(text, at: "feed \(name.local)")
            case .link:
                if let href = URLResolver.trim(text) {
                    textLink.href = href
                    textLink.base = bridge.currentBase
                    feedLinks.append(textLink)
                }
            case .id:
                // A feed without any usable link is reached at its id when that is a web address.
                if let id = URLResolver.trim(text), URLResolver.isAbsoluteHTTP(id) { feedID = id }
            case .icon where !text.isEmpty: icon = LinkRef(raw: text, base: bridge.currentBase)
            case .logo where !text.isEmpty: logo = LinkRef(raw: text, base: bridge.currentBase)
            default: break
            }
        default: break
        }
    }

    /// A `mode="base64"` construct decoded, as HTML and as plain text by its type; nil for other
    /// media types (an image) and for text that is not base64.
    private func decodedBase64(_ bridge: SAXBridge) -> (html: String, plain: String?)? {
        guard let data = Data(base64Encoded: bridge.captured, options: .ignoreUnknownCharacters) else { return nil }
        // Another media type is shown only when it turns out to be text (not an image's bytes), and
        // as text: bytes of an unknown type never become markup (feedparser shows them as they are).
        guard let decoded = textKind == .other ? String(validating: data, as: UTF8.self) : String(decoding: data, as: UTF8.self)
        else { return nil }
        return textKind == .html || textKind == .xhtml ? (decoded, PlainText.fromHTML(decoded))
                                                       : (PlainText.escapeHTML(decoded), PlainText.fromText(decoded))
    }

    /// The captured text construct as plain text, read straight from the capture buffer.
    private func plain(_ bridge: SAXBridge) -> String? {
        textKind == .text ? bridge.capturedCollapsed : bridge.capturedPlainFromHTML
    }

    private func finishEntry() {
        entryDepth = -1
        if let link = AtomLinks.alternate(entryLinks) { item.link = LinkRef(raw: link.href, base: link.base) }
        if let origLink { item.link = origLink }
        for enclosure in AtomLinks.enclosures(entryLinks) {
            item.enclosures.append((LinkRef(raw: enclosure.href, base: enclosure.base), enclosure.type, FieldValues.length(enclosure.length)))
        }
        draft.items.append(item.take())
    }

    override func finish(_ bridge: SAXBridge) -> FeedDraft {
        if entryDepth >= 0 { finishEntry() }
        if let link = AtomLinks.alternate(feedLinks) {
            draft.link = LinkRef(raw: link.href, base: link.base)
        } else if let feedID {
            draft.link = LinkRef(raw: feedID, base: nil)
        }
        draft.icon = icon ?? logo
        return draft
    }
}
