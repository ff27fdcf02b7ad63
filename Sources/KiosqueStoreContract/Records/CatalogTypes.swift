public import Foundation

/// A source as the catalogue shows it.
public struct SourceListing: Sendable, Hashable {
    /// The channels.yml identifier.
    public var id: String
    /// The source's title.
    public var title: String
    /// The feed URL.
    public var url: String
    /// Shown with a "trusted source" badge.
    public var trusted: Bool

    /// Creates a value with every field.
    public init(id: String, title: String, url: String, trusted: Bool) {
        self.id = id
        self.title = title
        self.url = url
        self.trusted = trusted
    }
}

/// A channel as the catalogue shows it.
public struct ChannelListing: Sendable, Hashable {
    /// The channel.
    public var channel: ChannelRef
    /// Its description from channels.yml.
    public var description: String?
    /// Its live sources.
    public var sources: [SourceListing]
    /// The newest item's date.
    public var lastUpdate: Date?
    /// Items listed.
    public var itemCount: Int
    /// Whether the agent follows it.
    public var subscribed: Bool
    /// "feed", or "documents" for a department's document channel.
    public var kind: String

    /// Creates a value with every field.
    public init(channel: ChannelRef, description: String? = nil, sources: [SourceListing], lastUpdate: Date? = nil,
                itemCount: Int, subscribed: Bool, kind: String) {
        self.channel = channel
        self.description = description
        self.sources = sources
        self.lastUpdate = lastUpdate
        self.itemCount = itemCount
        self.subscribed = subscribed
        self.kind = kind
    }
}

/// A bouquet and its channels.
public struct BouquetListing: Sendable, Hashable {
    /// The channels.yml identifier.
    public var id: String
    /// The bouquet's title.
    public var title: String
    /// Its description.
    public var description: String?
    /// Whether new agents start subscribed to it.
    public var isDefault: Bool
    /// Its channels, in channels.yml order.
    public var channels: [ChannelListing]

    /// Creates a value with every field.
    public init(id: String, title: String, description: String? = nil, isDefault: Bool, channels: [ChannelListing]) {
        self.id = id
        self.title = title
        self.description = description
        self.isDefault = isDefault
        self.channels = channels
    }
}

/// The whole catalogue for one agent.
public struct CatalogueListing: Sendable, Hashable {
    /// Bouquets in channels.yml order.
    public var bouquets: [BouquetListing]
    /// Live channels that belong to no bouquet.
    public var otherChannels: [ChannelListing]

    /// Creates a value with every field.
    public init(bouquets: [BouquetListing], otherChannels: [ChannelListing]) {
        self.bouquets = bouquets
        self.otherChannels = otherChannels
    }
}

/// What a catalogue synchronisation changed.
public struct CatalogSyncReport: Sendable, Hashable {
    /// Sources declared for the first time.
    public var addedSources: [String] = []
    /// Sources no longer declared: kept with their items, marked retired.
    public var retiredSources: [String] = []
    /// Channels whose item mapping was recomputed (new, or sources/filters changed).
    public var remappedChannels: [String] = []
    /// Channels no longer declared: hidden, subscriptions kept in case they come back.
    public var retiredChannels: [String] = []

    /// Creates a value with every field.
    public init(addedSources: [String] = [], retiredSources: [String] = [], remappedChannels: [String] = [],
                retiredChannels: [String] = []) {
        self.addedSources = addedSources
        self.retiredSources = retiredSources
        self.remappedChannels = remappedChannels
        self.retiredChannels = retiredChannels
    }
}
