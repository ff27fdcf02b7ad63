// RSS 0.9x and 2.0 (and, through RDFSupport, RSS 1.0 / 0.90): one reader, because the element
// vocabulary is shared. Fields are taken only from direct children of channel/item, so an
// extension's nested <title> cannot overwrite the item's.
internal import Foundation
internal import KiosqueModel

/// Reads RSS-family documents into a `FeedDraft`.
final class RSSReader: SAXReader {
    // Written on nearly every element by this reader alone, never while another access to them is
    // open (warning places read `itemNumber`, not `draft`): no dynamic exclusivity checks.
    private let isRDF: Bool
    @exclusivity(unchecked) private var channelDepth = -1, itemDepth = -1, imageDepth = -1, skipDepth = -1
    @exclusivity(unchecked) private var item = ItemDraft()
    private var syPeriod: String?, syFrequency: String?
    private var itunesImage: LinkRef?
    /// The channel's dc:title, its title when it has no RSS one.
    private var dcTitle: String?
    private var sawChannelLink = false
    private var itemNumber = 0
    /// The item's `description`s and `summary`s so far: the first is the summary, a second the content.
    private var descriptions = 0

    init(format: FeedFormat, isRDF: Bool) {
        self.isRDF = isRDF
        super.init(format: format)
    }

    /// Elements of RSS itself: no namespace, or RSS 1.0's / 0.90's.
    private func isRSS(_ ns: XMLNamespace) -> Bool { ns == .none || ns == .rss10 || ns == .rss090 }

    override func start(_ name: XMLName, _ attributes: SAXAttributes, _ bridge: SAXBridge) {
        let depth = bridge.depth
        if skipDepth >= 0 { return }
        let inItem = itemDepth >= 0
        let direct = inItem ? depth == itemDepth + 1 : (channelDepth >= 0 && depth == channelDepth + 1)
        switch (name.ns, name.local) {
        case (let ns, .channel) where isRSS(ns) && channelDepth < 0 && !inItem:
            channelDepth = depth
            if ns == .rss090 { draft.format = .rss09x }
        case (let ns, .item) where isRSS(ns) && !inItem:
            itemDepth = depth
            itemNumber += 1
            item = ItemDraft()
            descriptions = 0
            if isRDF, let about = bridge.attribute(.about, ns: .rdf, in: attributes) {
                item.id = about
                item.fallbackLink = LinkRef(raw: about, base: bridge.currentBase)
            }
        case (let ns, .image) where isRSS(ns) && !inItem:
            imageDepth = depth
        case (let ns, .url) where isRSS(ns) && imageDepth >= 0 && depth == imageDepth + 1:
            bridge.capture(.text)
        case (let ns, .textinput) where isRSS(ns), (let ns, .textInput) where isRSS(ns):
            skipDepth = depth // its <title> and <link> are a search box's, not the channel's
        case (let ns, .title) where isRSS(ns) && direct, (let ns, .description) where isRSS(ns) && direct:
            bridge.capture(.markup)
        case (.none, .summary) where direct && inItem, (.none, .fullitem) where direct && inItem, (.none, .body) where direct && inItem:
            // Atom's <summary> in RSS (a generator's habit; feedparser reads it), and the obsolete
            // <fullitem> and bare <body> that carried a whole article.
            bridge.capture(.markup)
        case (.none, .id) where direct && inItem, (.none, .updated) where direct, (.none, .published) where direct && inItem:
            bridge.capture(.text)
        case (let ns, .link) where isRSS(ns) && direct, (let ns, .guid) where isRSS(ns) && direct,
             (let ns, .pubDate) where isRSS(ns) && direct, (let ns, .lastBuildDate) where isRSS(ns) && direct,
             (let ns, .author) where isRSS(ns) && direct, (let ns, .category) where isRSS(ns) && direct,
             (let ns, .language) where isRSS(ns) && direct, (let ns, .ttl) where isRSS(ns) && direct:
            if name.local == .guid {
                let permalink = bridge.attribute(.isPermaLink, in: attributes)?.lowercased() != "false"
                item.fallbackLink = permalink ? LinkRef(raw: "", base: bridge.currentBase) : nil
            } else if name.local == .link, attributes.count > 0, let href = bridge.attribute(.href, in: attributes),
                      URLResolver.trim(href) != nil {
                // `<link href="…"/>`: an Atom habit in an RSS feed, its enclosures included.
                if inItem, bridge.attribute(.rel, in: attributes) == "enclosure" {
                    addEnclosure(href, bridge.attribute(.type, in: attributes), bridge.attribute(.length, in: attributes), bridge)
                    break
                }
                let ref = LinkRef(raw: href, base: bridge.currentBase)
                if inItem { if item.link == nil { item.link = ref } } else if !sawChannelLink { draft.link = ref; sawChannelLink = true }
            }
            bridge.capture(name.local == .category ? .ownText : .text)
        case (.content, .encoded) where direct:
            bridge.capture(.markup)
        case (.dc, _) where direct, (.dcterms, _) where direct, (.sy, _) where direct,
             (.feedburner, .origLink) where direct:
            bridge.capture(.text)
        case (.itunes, .author) where direct, (.itunes, .summary) where direct, (.itunes, .subtitle) where direct,
             (.itunes, .title) where direct && inItem, (.media, .title) where inItem:
            bridge.capture(.markup)
        case (.itunes, .category) where inItem:
            // An episode's own iTunes categories (nested ones are subcategories: both are kept).
            if let value = bridge.attribute(.text, in: attributes).flatMap(PlainText.fromText) { item.categories.append(value) }
        case (.media, .category) where inItem:
            bridge.capture(.text)
        case (.xhtml, .body) where direct && inItem:
            bridge.capture(.xhtml) // the article inline as XHTML (feedparser reads it as the content)
        case (.itunes, .image) where !inItem:
            if let href = bridge.attribute(.href, in: attributes) { itunesImage = LinkRef(raw: href, base: bridge.currentBase) }
        case (let ns, .enclosure) where isRSS(ns) && inItem:
            addEnclosure(bridge.attribute(.url, in: attributes), bridge.attribute(.type, in: attributes),
                         bridge.attribute(.length, in: attributes), bridge)
        case (.media, .thumbnail) where inItem && item.image == nil:
            if let url = bridge.attribute(.url, in: attributes), !url.isEmpty { item.image = LinkRef(raw: url, base: bridge.currentBase) }
        case (.media, .content) where inItem:
            addEnclosure(bridge.attribute(.url, in: attributes), bridge.attribute(.type, in: attributes),
                         bridge.attribute(.fileSize, in: attributes), bridge)
        case (.atom, .link) where direct:
            atomLink(attributes, bridge)
        case (.atom, .updated) where direct && inItem: // Medium and others date their edits so
            bridge.capture(.text)
        default:
            break
        }
    }

    private func addEnclosure(_ url: String?, _ type: String?, _ length: String?, _ bridge: SAXBridge) {
        guard let url, !url.isEmpty else { return }
        item.enclosures.append((LinkRef(raw: url, base: bridge.currentBase), type, FieldValues.length(length)))
    }

    /// `atom:link` inside RSS: an alternate fills a missing link, an enclosure adds one; `self` is ignored.
    private func atomLink(_ attributes: SAXAttributes, _ bridge: SAXBridge) {
        guard let href = bridge.attribute(.href, in: attributes) else { return }
        let rel = bridge.attribute(.rel, in: attributes) ?? "alternate"
        let ref = LinkRef(raw: href, base: bridge.currentBase)
        if rel == "enclosure" && itemDepth >= 0 {
            addEnclosure(href, bridge.attribute(.type, in: attributes), bridge.attribute(.length, in: attributes), bridge)
        } else if rel == "alternate" {
            if itemDepth >= 0 { if item.link == nil { item.link = ref } } else if draft.link == nil { draft.link = ref }
        }
    }

    override func end(_ name: XMLName, _ bridge: SAXBridge) {
        let depth = bridge.depth
        if skipDepth >= 0 {
            if depth == skipDepth { skipDepth = -1 }
            return
        }
        if depth == itemDepth {
            itemDepth = -1
            draft.items.append(item.take())
            return
        }
        if depth == imageDepth { imageDepth = -1; return }
        if depth == channelDepth { channelDepth = -1; return }
        var text: String { bridge.captured }
        if imageDepth >= 0 {
            if name.local == .url, draft.icon == nil, let url = URLResolver.trim(text) { draft.icon = LinkRef(raw: url, base: bridge.currentBase) }
            return
        }
        guard bridge.hasCaptured else { return }
        if itemDepth >= 0 { endItemField(name, bridge) } else { endChannelField(name, bridge) }
    }

    /// Where a warning points; read from a counter, not from `draft`, which is being mutated.
    private func place(_ field: String) -> String { "item \(itemNumber) \(field)" }

    private func endItemField(_ name: XMLName, _ bridge: SAXBridge) {
        var text: String { bridge.captured }
        switch (name.ns, name.local) {
        case (.content, .encoded), (.xhtml, .body), (.none, .body), (.none, .fullitem):
            if name.local != .encoded, item.contentHTML != nil { break } // content:encoded wins
            item.contentHTML = text
            item.contentBase = bridge.declaredBase
        case (.media, .category): if let c = PlainText.fromText(text) { item.categories.append(c) }
        case (.feedburner, .origLink):
            let text = text
            if !text.isEmpty { item.link = LinkRef(raw: text, base: bridge.currentBase) }
        // dc:author is no Dublin Core element, but CMSs write it for dc:creator (feedparser reads it too).
        case (.dc, .creator), (.dc, .author), (.itunes, .author): if let a = FieldValues.author(text) { item.authors.append(a) }
        // Dublin Core's title and description stand in for missing RSS ones (RDF feeds use them).
        case (.dc, .title), (.itunes, .title), (.media, .title): if item.title == nil { item.title = bridge.capturedPlainFromHTML }
        case (.itunes, .subtitle): if item.summary == nil { item.summary = bridge.capturedPlainFromHTML }
        case (.dc, .description) where item.summaryHTML == nil:
            item.summary = bridge.capturedPlainFromHTML
            item.summaryHTML = bridge.capturedHTML(plain: item.summary)
        case (.dc, .subject): if let c = PlainText.fromText(text) { item.categories.append(c) }
        case (.dc, .date), (.dcterms, .issued), (.dcterms, .created):
            if item.published == nil { item.published = bridge.capturedDate(&draft, at: place("dc:date")) }
        case (.dcterms, .modified), (.atom, .updated): item.updated = bridge.capturedDate(&draft, at: place("updated"))
        case (.itunes, .summary):
            // A podcast episode's notes: the summary and, without a description, the content.
            if item.summary == nil { item.summary = bridge.capturedPlainFromHTML }
            if item.summaryHTML == nil { item.summaryHTML = bridge.capturedHTML(plain: item.summary) }
        case (let ns, _) where isRSS(ns):
            switch name.local {
            case .title: item.title = bridge.capturedPlainFromHTML
            case .link where item.link == nil:
                let text = text
                if !text.isEmpty { item.link = LinkRef(raw: text, base: bridge.currentBase) }
            case .description where descriptions > 0 && item.contentHTML == nil,
                 .summary where descriptions > 0 && item.contentHTML == nil:
                // A second one (`<summary>` and `<description>` both) is the fuller text.
                item.contentHTML = text
                item.contentBase = bridge.declaredBase
            case .description, .summary:
                descriptions += 1
                let summary = bridge.capturedPlainFromHTML
                item.summaryHTML = bridge.capturedHTML(plain: summary)
                item.summaryBase = bridge.declaredBase
                item.summary = summary
            case .guid:
                let text = text
                item.id = text
                if item.fallbackLink != nil { item.fallbackLink = LinkRef(raw: text, base: bridge.currentBase) }
            case .pubDate: item.published = bridge.capturedDate(&draft, at: place("pubDate"))
            case .id where item.id == nil: item.id = text // `<guid>` wins wherever it stands
            case .published where item.published == nil: item.published = bridge.capturedDate(&draft, at: place("published"))
            case .updated: item.updated = bridge.capturedDate(&draft, at: place("updated"))
            case .author: if let a = FieldValues.author(text) { item.authors.append(a) }
            case .category: if let c = PlainText.fromHTML(text) { item.categories.append(c) }
            default: break
            }
        default: break
        }
    }

    private func endChannelField(_ name: XMLName, _ bridge: SAXBridge) {
        var text: String { bridge.captured }
        switch (name.ns, name.local) {
        case (.dc, .language): if draft.language == nil { draft.language = text }
        case (.dc, .title): if dcTitle == nil { dcTitle = PlainText.fromHTML(text) }
        case (.dc, .date), (.dcterms, .modified): if draft.updated == nil { draft.updated = draft.date(text, at: "channel \(name.local)") }
        case (.dc, .creator), (.dc, .author), (.itunes, .author): if let a = FieldValues.author(text) { draft.authors.append(a) }
        case (.sy, .updatePeriod): syPeriod = text
        case (.sy, .updateFrequency): syFrequency = text
        case (.itunes, .subtitle), (.itunes, .summary): if draft.subtitle == nil { draft.subtitle = PlainText.fromHTML(text) }
        case (let ns, _) where isRSS(ns):
            switch name.local {
            case .title: if draft.title == nil { draft.title = PlainText.fromHTML(text) }
            case .link where !sawChannelLink:
                // An RSS <link> beats an atom:link alternate seen before it.
                guard let url = URLResolver.trim(text) else { break }
                draft.link = LinkRef(raw: url, base: bridge.currentBase)
                sawChannelLink = true
            case .description: draft.subtitle = PlainText.fromHTML(text) ?? draft.subtitle
            case .language: draft.language = text
            case .lastBuildDate: draft.updated = draft.date(text, at: "channel lastBuildDate") ?? draft.updated
            case .pubDate, .updated: if draft.updated == nil { draft.updated = draft.date(text, at: "channel \(name.local)") }
            case .ttl: draft.refreshInterval = FieldValues.ttl(text)
            default: break
            }
        default: break
        }
    }

    override func finish(_ bridge: SAXBridge) -> FeedDraft {
        if itemDepth >= 0 { draft.items.append(item) } // unterminated item in a truncated feed
        if draft.icon == nil { draft.icon = itunesImage }
        if draft.title == nil { draft.title = dcTitle }
        draft.refreshInterval = FieldValues.longer(draft.refreshInterval, FieldValues.syndication(period: syPeriod, frequency: syFrequency))
        return draft
    }
}
