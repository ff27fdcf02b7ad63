public import Foundation

/// Why a fetch failed, in the words IT filters by.
public enum FetchErrorClass: String, Codable, Sendable, CaseIterable {
    case dns, connect, tls, timeout
    case http4xx = "http_4xx"
    case http5xx = "http_5xx"
    case rateLimited = "rate_limited"
    case tooLarge = "too_large"
    case redirect
    case notAFeed = "not_a_feed"
    case parse
    case credentials
    case storage
    case other
}

/// The record of one fetch attempt of one source, as the refresh pipeline reports it.
public struct FetchAttempt: Sendable, Hashable {
    public var sourceID: String
    public var startedAt: Date
    public var duration: TimeInterval
    public var httpStatus: Int?
    /// nil when the attempt succeeded (a 304 is a success).
    public var errorClass: FetchErrorClass?
    public var errorMessage: String?
    public var bytes: Int64
    public var notModified: Bool
    public var newItems: Int
    public var updatedItems: Int
    public var warnings: [String]
    /// Where a permanent redirect (301/308) pointed: advice for IT, never applied silently.
    public var permanentRedirect: String?
    /// Feed URLs advertised by an HTML page served instead of a feed.
    public var discoveredFeeds: [String]

    public init(sourceID: String, startedAt: Date, duration: TimeInterval = 0, httpStatus: Int? = nil,
                errorClass: FetchErrorClass? = nil, errorMessage: String? = nil, bytes: Int64 = 0,
                notModified: Bool = false, newItems: Int = 0, updatedItems: Int = 0, warnings: [String] = [],
                permanentRedirect: String? = nil, discoveredFeeds: [String] = []) {
        self.sourceID = sourceID
        self.startedAt = startedAt
        self.duration = duration
        self.httpStatus = httpStatus
        self.errorClass = errorClass
        self.errorMessage = errorMessage
        self.bytes = bytes
        self.notModified = notModified
        self.newItems = newItems
        self.updatedItems = updatedItems
        self.warnings = warnings
        self.permanentRedirect = permanentRedirect
        self.discoveredFeeds = discoveredFeeds
    }

    /// Whether the attempt counts as a success for health and backoff.
    public var succeeded: Bool { errorClass == nil }
}

/// A source's current health, as IT sees it in the admin table and `kiosque fetch`.
public struct SourceHealth: Sendable, Hashable {
    public var sourceID: String
    public var lastAttempt: FetchAttempt?
    public var lastSuccessAt: Date?
    public var consecutiveFailures: Int
    public var nextAttemptAt: Date?

    public init(sourceID: String, lastAttempt: FetchAttempt? = nil, lastSuccessAt: Date? = nil,
                consecutiveFailures: Int = 0, nextAttemptAt: Date? = nil) {
        self.sourceID = sourceID
        self.lastAttempt = lastAttempt
        self.lastSuccessAt = lastSuccessAt
        self.consecutiveFailures = consecutiveFailures
        self.nextAttemptAt = nextAttemptAt
    }
}

/// An item ready for the store: the parsed item with sanitized HTML, plus its plain text for search.
public struct PreparedItem: Sendable, Hashable {
    /// `contentHTML` here is already sanitized; `summary` is plain text.
    public var item: ParsedItem
    /// Plain text of the content, for the full-text index and keyword filters.
    public var contentText: String
    /// The search index's tokens of the item's texts, when the store computed them ahead of its
    /// writer (`IngestStore.prepareForIngest`); nil otherwise. Not part of the item's identity.
    public var indexTokens: IndexTokens?
    /// The item's hashes, canonical link and picture when computed ahead of the store's writer
    /// (`ItemKeys.identified`); nil: the store computes them as it stores the item.
    public var identity: PreparedIdentity?

    public init(item: ParsedItem, contentText: String) {
        self.item = item
        self.contentText = contentText
    }

    public static func == (a: PreparedItem, b: PreparedItem) -> Bool {
        a.item == b.item && a.contentText == b.contentText
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(item)
        hasher.combine(contentText)
    }
}

/// What identifies, de-duplicates and illustrates a prepared item in the store, derived from its
/// fields alone (see `ItemKeys` in the store contract, which computes it).
public struct PreparedIdentity: Sendable {
    public var guidHash: Int64
    public var canonicalLink: String?
    public var linkHash: Int64?
    public var contentHash: Int64
    public var picture: ItemPicture?

    public init(guidHash: Int64, canonicalLink: String?, linkHash: Int64?, contentHash: Int64, picture: ItemPicture?) {
        self.guidHash = guidHash
        self.canonicalLink = canonicalLink
        self.linkHash = linkHash
        self.contentHash = contentHash
        self.picture = picture
    }
}

/// Texts and the tokens a store's full-text tokenizer makes of them, computed where there are
/// cores to spare (the refresh pipeline's preparers) so that the store's single writer replays
/// them instead of tokenizing. The layout of `packed` belongs to the store that made it.
public final class IndexTokens: Sendable {
    /// One tokenized text.
    public struct Entry: Sendable {
        /// The text exactly as the index will be given it.
        public let text: String
        /// Its tokens, in the store's own layout.
        public let packed: [UInt8]

        public init(text: String, packed: [UInt8]) {
            self.text = text
            self.packed = packed
        }
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }
}
