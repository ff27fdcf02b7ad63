public import Foundation
public import KiosqueModel

/// What one ingest call did.
public struct IngestResult: Sendable, Hashable {
    /// Items stored for the first time.
    public var new: Int
    /// Items already stored whose content changed (flagged updated, never duplicated).
    public var updated: Int
    /// Items already stored with the same content.
    public var unchanged: Int

    /// Creates a result.
    public init(new: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// A channel named by its channels.yml identifier and title.
public struct ChannelRef: Sendable, Hashable, Codable {
    /// The channels.yml identifier.
    public var id: String
    /// The channel's title.
    public var title: String

    /// Creates a value with every field.
    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// An item as listed on pages (no HTML body), with the agent's read and star state.
public struct ItemSummary: Sendable, Hashable {
    /// The store's item identifier.
    public var id: Int64
    /// Plain-text title.
    public var title: String?
    /// The original article's URL.
    public var link: String?
    /// Plain-text author.
    public var author: String?
    /// Plain-text summary.
    public var summary: String?
    /// The channels.yml identifier of the source.
    public var sourceID: String
    /// The source's title.
    public var sourceTitle: String
    /// The channel this item is listed under in this context (nil outside channels).
    public var channel: ChannelRef?
    /// The date the feed gave, if any.
    public var published: Date?
    /// The date used for ordering: published, clamped to the fetch time, else the fetch time.
    public var sortDate: Date
    /// Whether the content changed after it was first stored.
    public var isUpdated: Bool
    /// Whether the agent has read it.
    public var isRead: Bool
    /// Whether the agent starred it.
    public var isStarred: Bool
    /// Its picture (content's first image or image enclosure), for the thumbnail of its row.
    public var picture: ItemPicture? = nil

    /// Creates a value with every field.
    public init(id: Int64, title: String? = nil, link: String? = nil, author: String? = nil, summary: String? = nil,
                sourceID: String, sourceTitle: String, channel: ChannelRef? = nil, published: Date? = nil,
                sortDate: Date, isUpdated: Bool, isRead: Bool, isStarred: Bool, picture: ItemPicture? = nil) {
        self.id = id
        self.title = title
        self.link = link
        self.author = author
        self.summary = summary
        self.sourceID = sourceID
        self.sourceTitle = sourceTitle
        self.channel = channel
        self.published = published
        self.sortDate = sortDate
        self.isUpdated = isUpdated
        self.isRead = isRead
        self.isStarred = isStarred
        self.picture = picture
    }
}

/// One item with its sanitized HTML body and its neighbours in a channel.
public struct ItemDetail: Sendable, Hashable {
    /// The listing fields.
    public var summary: ItemSummary
    /// Sanitized HTML content, as stored by the pipeline.
    public var contentHTML: String?
    /// Plain text of the content.
    public var contentText: String?
    /// The link used to recognise the same article across sources.
    public var canonicalLink: String?
    /// The feed's own update date.
    public var updated: Date?
    /// When the item was last fetched and stored.
    public var fetchedAt: Date
    /// Every channel that lists this item.
    public var channels: [ChannelRef]
    /// The newer neighbour in the channel (towards the top of the page).
    public var previousID: Int64?
    /// The older neighbour in the channel.
    public var nextID: Int64?

    /// Creates a value with every field.
    public init(summary: ItemSummary, contentHTML: String? = nil, contentText: String? = nil,
                canonicalLink: String? = nil, updated: Date? = nil, fetchedAt: Date, channels: [ChannelRef],
                previousID: Int64? = nil, nextID: Int64? = nil) {
        self.summary = summary
        self.contentHTML = contentHTML
        self.contentText = contentText
        self.canonicalLink = canonicalLink
        self.updated = updated
        self.fetchedAt = fetchedAt
        self.channels = channels
        self.previousID = previousID
        self.nextID = nextID
    }
}

/// A keyset pagination position in a channel: the last item shown.
public struct PageCursor: Sendable, Hashable {
    /// The sort date of the last item shown, in Unix seconds.
    public var sortAt: Int64
    /// The identifier of the last item shown.
    public var itemID: Int64

    /// Creates a cursor.
    public init(sortAt: Int64, itemID: Int64) {
        self.sortAt = sortAt
        self.itemID = itemID
    }

    /// The cursor as a URL-safe token ("1735689600-42").
    public var token: String { "\(sortAt)-\(itemID)" }

    /// Reads a token made by `token`; nil when malformed.
    public init?(token: String) {
        let parts = token.split(separator: "-")
        guard parts.count == 2, let s = Int64(parts[0]), let i = Int64(parts[1]) else { return nil }
        self.init(sortAt: s, itemID: i)
    }
}

/// One page of a channel or list, newest first.
public struct ItemPage: Sendable, Hashable {
    /// The items of this page.
    public var items: [ItemSummary]
    /// Where the next (older) page starts; nil on the last page.
    public var nextCursor: PageCursor?
    /// For a channel's page: how many of the channel's items the agent has not read.
    public var channelUnread: Int?

    /// Creates a value with every field.
    public init(items: [ItemSummary], nextCursor: PageCursor? = nil, channelUnread: Int? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.channelUnread = channelUnread
    }
}

/// A subscribed channel's counts on the home page.
public struct ChannelUnread: Sendable, Hashable {
    /// The channel.
    public var channel: ChannelRef
    /// Items the agent has not read.
    public var unread: Int
    /// Items listed in the channel.
    public var total: Int
    /// The channel's newest items (filled when the home page asks for grouped items).
    public var latest: [ItemSummary]

    /// Creates a value with every field.
    public init(channel: ChannelRef, unread: Int, total: Int, latest: [ItemSummary]) {
        self.channel = channel
        self.unread = unread
        self.total = total
        self.latest = latest
    }
}

/// The agent's home page ("Ma page").
public struct HomePage: Sendable, Hashable {
    /// The newest items across subscribed channels, each once ("river" layout).
    public var items: [ItemSummary]
    /// Every subscribed channel with its unread count, in catalogue order.
    public var channels: [ChannelUnread]
    /// The newest members-only documents of the agent's departments, when asked for.
    public var memberDocuments: [DocumentRecord] = []

    /// Creates a value with every field.
    public init(items: [ItemSummary], channels: [ChannelUnread], memberDocuments: [DocumentRecord] = []) {
        self.items = items
        self.channels = channels
        self.memberDocuments = memberDocuments
    }
}
