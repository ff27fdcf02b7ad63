public import Foundation
import GRDB

extension AppDatabase {
    /// Up to `limit` agents after user id `afterID` who chose one of `frequencies`, are enabled,
    /// have an address that does not bounce, and (with `login`) have that login; keyset-paginated
    /// so that a digest run never holds every agent at once.
    public func digestRecipients(frequencies: [String], login: String? = nil, afterID: Int64 = 0,
                                 limit: Int = 500) async throws(StoreError) -> [DigestRecipient] {
        let wanted = "[" + frequencies.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return try await read("listing digest recipients") { db in
            try Row.fetchAll(db, sql: """
                SELECT u.id, u.login, u.name, u.email, u.language, u.digest_frequency, u.created_at, d.covered_until,
                  EXISTS (SELECT 1 FROM mail_outbox o WHERE o.user_id = u.id AND o.kind = 'digest' AND o.status = 'pending') AS pending
                FROM users u LEFT JOIN mail_digest_state d ON d.user_id = u.id
                WHERE u.id > ? AND u.disabled = 0 AND u.email IS NOT NULL AND u.email <> ''
                  AND u.digest_frequency IN (SELECT value FROM json_each(?))
                  AND (? IS NULL OR u.login = ?)
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE b.address = u.email)
                ORDER BY u.id LIMIT ?
                """, arguments: [afterID, wanted, login, login, limit]).map { row in
                let covered: Int64? = row["covered_until"]
                return DigestRecipient(userID: row["id"], login: row["login"], name: row["name"], email: row["email"],
                                       language: row["language"], frequency: row["digest_frequency"],
                                       coveredUntil: covered.map(Date.init(unixSeconds:)),
                                       createdAt: Date(unixSeconds: row["created_at"]), hasPendingDigest: row["pending"])
            }
        }
    }

    /// The live channels the agent follows, in catalogue order, with the agent's unread counts.
    public func digestChannels(userID: Int64) async throws(StoreError) -> [DigestChannel] {
        try await read("reading followed channels") { db in
            try db.cachedRows("""
                SELECT c.key, c.title, c.kind, \(ItemAudience.unread(user: "s.user_id", reads: "coalesce(r.reads, 0)")) AS unread
                FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                LEFT JOIN user_channel_reads r ON r.user_id = s.user_id AND r.channel_id = c.id
                WHERE s.user_id = ? AND c.retired_at IS NULL ORDER BY c.kind, c.position, c.id
                """, [userID]).map { row in
                DigestChannel(key: row["key"], title: row["title"], kind: row["kind"], unread: row["unread"])
            }
        }
    }

    /// The items a channel received from `since` (included) to `until` (excluded), by the time
    /// Kiosque stored them, not the date the feed claims: how many, and the `limit` most recent.
    /// Half-open, so that consecutive periods neither overlap nor leave a second out. As agent
    /// `userID` sees them; nil: what every agent sees (no announcement for a targeted audience).
    public func channelNews(channelKey: String, since: Date, until: Date, limit: Int,
                            userID: Int64? = nil) async throws(StoreError) -> DigestChannelNews {
        try await read("reading a channel's news") { db in
            guard let channelID = try db.cachedValue(Int64.self, "SELECT id FROM channels WHERE key = ?", [channelKey]) else {
                return DigestChannelNews(count: 0, items: [])
            }
            // The stored time is checked on each item of the channel; a digest run asks this once
            // per channel and period, not once per agent (see DigestRun's cache).
            let arguments: StatementArguments = ["channel": channelID, "since": since.unixSeconds, "until": until.unixSeconds,
                                                 "user": userID ?? -1, "limit": limit]
            let selected = "ci.channel_id = :channel AND i.fetched_at >= :since AND i.fetched_at < :until AND "
                + ItemAudience.visible(item: "i.id", user: ":user")
            let count = try db.cachedValue(Int.self, """
                SELECT count(*) FROM channel_items ci JOIN items i ON i.id = ci.item_id WHERE \(selected)
                """, arguments) ?? 0
            guard count > 0 else { return DigestChannelNews(count: 0, items: []) }
            let items = try db.cachedRows("""
                SELECT i.id, i.title, i.link, i.sort_at, s.title AS source_title
                FROM channel_items ci JOIN items i ON i.id = ci.item_id JOIN sources s ON s.id = i.source_id
                WHERE \(selected) ORDER BY ci.sort_at DESC, ci.item_id DESC LIMIT :limit
                """, arguments).map { row in
                let title: String? = row["title"]
                return DigestItem(id: row["id"], title: title ?? "", link: row["link"], sourceTitle: row["source_title"],
                                  date: Date(unixSeconds: row["sort_at"]))
            }
            return DigestChannelNews(count: count, items: items)
        }
    }
}
