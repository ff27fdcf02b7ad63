// Atom links: which one is "the" link of a feed or an entry, and which are enclosures.

/// One `atom:link` as written.
struct AtomLink {
    var href: String
    var rel: String
    var type: String?
    var length: String?
    var base: String?

    init(href: String, rel: String, type: String? = nil, length: String? = nil, base: String? = nil) {
        (self.href, self.rel, self.type, self.length, self.base) = (href, rel, type, length, base)
    }

    /// The rel without the IANA prefix some feeds spell out in full.
    var shortRel: String {
        let prefix = "http://www.iana.org/assignments/relation/"
        return rel.hasPrefix(prefix) ? String(rel.dropFirst(prefix.count)) : rel
    }
}

/// Chooses the alternate link the way readers expect.
enum AtomLinks {
    /// Preference: alternate HTML (or untyped) → any alternate → any link that is not a
    /// service link (self, edit, replies, enclosure, hub…) → nil. The first of equals wins
    /// (feedparser keeps the last one written, often a translation's `hreflang` alternate).
    static func alternate(_ links: [AtomLink]) -> AtomLink? {
        let alternates = links.filter { $0.shortRel == "alternate" }
        if let html = alternates.first(where: { isHTML($0.type) }) { return html }
        if let any = alternates.first { return any }
        let service: Set<String> = ["self", "edit", "edit-media", "replies", "enclosure", "hub", "license",
                                    "first", "last", "next", "previous", "prev", "payment", "via"]
        return links.first { !service.contains($0.shortRel) }
    }

    private static func isHTML(_ type: String?) -> Bool {
        guard let type = type?.lowercased() else { return true }
        return type.hasPrefix("text/html") || type.hasPrefix("application/xhtml+xml")
    }

    /// The `rel="enclosure"` links.
    static func enclosures(_ links: [AtomLink]) -> [AtomLink] {
        links.filter { $0.shortRel == "enclosure" }
    }
}
