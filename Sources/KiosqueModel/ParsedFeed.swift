public import Foundation

/// The syndication format a feed was detected as, named as in `kiosque parse --json`.
public enum FeedFormat: String, Codable, Sendable, CaseIterable {
    case rss20 = "rss2.0"
    case rss10 = "rss1.0"
    case rss09x = "rss0.9x"
    case atom10 = "atom1.0"
    case atom03 = "atom0.3"
    case jsonFeed1 = "jsonfeed1"
}

/// A media file attached to an item (podcast episode, PDF, image).
public struct Enclosure: Codable, Sendable, Hashable {
    public var url: String
    public var type: String?
    public var length: Int64?

    public init(url: String, type: String? = nil, length: Int64? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// One entry of a feed as the parser understood it, before sanitizing and storing.
public struct ParsedItem: Sendable, Hashable {
    /// Stable identifier: guid / atom:id / JSON id, else a hash of link and title.
    public var id: String
    /// Plain text (entities decoded, tags stripped, whitespace collapsed).
    public var title: String?
    /// Absolute URL of the article.
    public var link: String?
    public var published: Date?
    public var updated: Date?
    public var author: String?
    /// Plain-text summary.
    public var summary: String?
    /// The item's HTML body, unsanitized by the parser (the pipeline sanitizes it).
    public var contentHTML: String?
    public var categories: [String]
    public var enclosures: [Enclosure]
    /// The item's own picture (RSS `media:thumbnail`, JSON Feed `image`), an absolute URL.
    public var image: String?

    public init(id: String, title: String? = nil, link: String? = nil, published: Date? = nil,
                updated: Date? = nil, author: String? = nil, summary: String? = nil,
                contentHTML: String? = nil, categories: [String] = [], enclosures: [Enclosure] = [], image: String? = nil) {
        self.image = image
        self.id = id
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.author = author
        self.summary = summary
        self.contentHTML = contentHTML
        self.categories = categories
        self.enclosures = enclosures
    }
}

/// A whole feed as the parser understood it.
public struct ParsedFeed: Sendable, Hashable {
    public var format: FeedFormat
    public var title: String?
    /// Absolute URL of the site the feed belongs to.
    public var link: String?
    public var subtitle: String?
    public var language: String?
    public var updated: Date?
    public var icon: String?
    public var items: [ParsedItem]
    /// Non-fatal problems met while reading (recovered XML errors, dropped dates…).
    public var warnings: [String]
    /// The publisher's own hint of how often to poll (RSS `ttl`, `sy:updatePeriod`), in seconds.
    public var minimumRefreshInterval: TimeInterval?

    public init(format: FeedFormat, title: String? = nil, link: String? = nil, subtitle: String? = nil,
                language: String? = nil, updated: Date? = nil, icon: String? = nil,
                items: [ParsedItem] = [], warnings: [String] = [], minimumRefreshInterval: TimeInterval? = nil) {
        self.format = format
        self.title = title
        self.link = link
        self.subtitle = subtitle
        self.language = language
        self.updated = updated
        self.icon = icon
        self.items = items
        self.warnings = warnings
        self.minimumRefreshInterval = minimumRefreshInterval
    }
}
