public import Foundation
public import KiosqueStoreContract

/// Gathers each agent's digest from the store. Channel news are read once per channel and period
/// and shared by every agent whose digest covers the same period (after the first run, nearly all).
public final class DigestComposer: @unchecked Sendable {
    /// Items shown per channel (the most recent); the rest are counted.
    public let itemsPerChannel: Int
    private let store: any PortalStore
    private let lock = NSLock()
    // Guarded by `lock`.
    private var cache: [String: DigestChannelNews] = [:]

    /// A composer over `store`.
    public init(store: any PortalStore, itemsPerChannel: Int = 5) {
        self.store = store
        self.itemsPerChannel = itemsPerChannel
    }

    /// Where `recipient`'s next digest starts: the end of the last one, else (first digest) one
    /// period back, never before the account existed.
    public static func start(for recipient: DigestRecipient, until: Date) -> Date {
        if let covered = recipient.coveredUntil { return covered }
        let period: TimeInterval = recipient.frequency == "weekly" ? 7 * 86_400 : 86_400
        return max(until.addingTimeInterval(-period), recipient.createdAt)
    }

    /// The agent's digest up to `until` (empty when nothing is new).
    public func content(for recipient: DigestRecipient, until: Date) async throws(StoreError) -> DigestContent {
        let since = Self.start(for: recipient, until: until)
        var content = DigestContent(recipient: recipient, since: since, until: until, channels: [], documents: [])
        guard since < until else { return content }
        for channel in try await store.digestChannels(userID: recipient.userID) {
            let news = try await news(channel.key, since: since, until: until, userID: recipient.userID)
            guard news.count > 0 else { continue }
            let section = DigestContent.Section(channel: channel, news: news)
            // Departments' news channels ("Actualités — …", key news-*) have kind documents but are news.
            if channel.kind == "documents" && !channel.key.hasPrefix("news-") { content.documents.append(section) } else {
                content.channels.append(section)
            }
        }
        // Reminders of unconfirmed must-read announcements, checked against the audience in the store.
        let viewer = DocumentViewer(userID: recipient.userID, isAdmin: false)
        content.mustRead = try await store.unacknowledgedMustRead(viewer: viewer, now: until)
            .map { DigestContent.MustReadReminder(id: $0.id, title: $0.content.title, department: $0.departmentTitle) }
        // Press reviews of the agent's audience published during the period (the web's PressReviewController.category).
        content.pressReviews = try await store.publishedAnnouncements(category: "Revue de presse", viewer: viewer, since: since, now: until)
            .map { DigestContent.MustReadReminder(id: $0.id, title: $0.content.title, department: $0.departmentTitle) }
        return content
    }

    private func news(_ key: String, since: Date, until: Date, userID: Int64) async throws(StoreError) -> DigestChannelNews {
        // A department's news channel holds announcements for targeted audiences: read for this agent, not shared.
        if key.hasPrefix("news-") {
            return try await store.channelNews(channelKey: key, since: since, until: until, limit: itemsPerChannel, userID: userID)
        }
        let cacheKey = "\(key)\u{1}\(since.timeIntervalSince1970)\u{1}\(until.timeIntervalSince1970)"
        if let hit = lock.withLock({ cache[cacheKey] }) { return hit }
        let news = try await store.channelNews(channelKey: key, since: since, until: until, limit: itemsPerChannel)
        lock.withLock {
            // A run has a few distinct periods; a long-lived composer must not grow without end.
            if cache.count > 4_096 { cache.removeAll() }
            cache[cacheKey] = news
        }
        return news
    }
}
