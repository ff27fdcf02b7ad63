public import Foundation
public import KiosqueStoreContract
import PostgresNIO

/// Mail alerts and what digests are built from, on PostgreSQL (SQLite's Mail/Alerts.swift and
/// Mail/DigestReads.swift).
extension PostgresStore {
    /// Turns an agent's alerts for a channel on (from `date` on: no backlog) or off.
    public func setMailAlert(userID: Int64, channelKey: String, enabled: Bool, at date: Date) async throws(StoreError) {
        try await mailWrite("changing mail alerts for \(channelKey)", changes: .agent(userID)) { mail in
            guard let channel = try await PostgresRows.all(mail.connection.query(
                "SELECT id FROM channels WHERE key = \(channelKey)", logger: mail.logger), Int64.self).first else {
                throw StoreError.notFound(what: "channel", id: channelKey)
            }
            if enabled {
                try await mail.connection.query("""
                    INSERT INTO mail_alerts (user_id, channel_id, covered_until) VALUES (\(userID), \(channel), \(date.unixSeconds))
                    ON CONFLICT DO NOTHING
                    """, logger: mail.logger)
            } else {
                try await mail.connection.query("DELETE FROM mail_alerts WHERE user_id = \(userID) AND channel_id = \(channel)",
                                                logger: mail.logger)
            }
        }
    }

    /// A channel's title, for pages that name it (nil when the channel is gone).
    public func channelTitle(key: String) async throws(StoreError) -> String? {
        try await mailRead("reading a channel's title") { mail in
            try await PostgresRows.all(mail.connection.query("SELECT title FROM channels WHERE key = \(key)", logger: mail.logger),
                                       String.self).first
        }
    }

    /// The keys of the channels whose alerts the agent chose.
    public func mailAlerts(userID: Int64) async throws(StoreError) -> Set<String> {
        try await mailRead("reading mail alerts") { mail in
            Set(try await PostgresRows.all(mail.connection.query("""
                SELECT c.key FROM mail_alerts a JOIN channels c ON c.id = a.channel_id WHERE a.user_id = \(userID)
                """, logger: mail.logger), String.self))
        }
    }

    /// Alert subscriptions to the `channelKeys` channels whose last alert was recorded before
    /// `notSince` (or never), of enabled agents with an address that does not bounce.
    public func dueMailAlerts(channelKeys: [String], notSince: Date) async throws(StoreError) -> [AlertRecipient] {
        guard !channelKeys.isEmpty else { return [] }
        return try await mailRead("listing due mail alerts") { mail in
            var due: [AlertRecipient] = []
            for try await row in try await mail.connection.query("""
                SELECT u.id, u.login, u.name, u.email, u.language, u.created_at, a.covered_until,
                  c.key, c.title, c.kind, \(unescaped: PostgresMail.unread(user: "u.id"))
                FROM mail_alerts a JOIN users u ON u.id = a.user_id JOIN channels c ON c.id = a.channel_id
                LEFT JOIN user_channel_reads r ON r.user_id = u.id AND r.channel_id = c.id
                WHERE c.key = ANY(\(channelKeys)) AND c.retired_at IS NULL
                  AND (a.last_sent_at IS NULL OR a.last_sent_at < \(notSince.unixSeconds))
                  AND NOT u.disabled AND u.email IS NOT NULL AND u.email <> ''
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE lower(b.address) = lower(u.email))
                ORDER BY u.id, c.id
                """, logger: mail.logger) {
                let (id, login, name, email, language, created, covered, key, title, kind, unread) =
                    try row.decode((Int64, String, String, String, String, Int64, Int64, String, String, String, Int).self)
                due.append(AlertRecipient(
                    recipient: DigestRecipient(userID: id, login: login, name: name, email: email, language: language, frequency: "alert",
                                               coveredUntil: nil, createdAt: Date(unixSeconds: created), hasPendingDigest: false),
                    channel: DigestChannel(key: key, title: title, kind: kind, unread: unread),
                    coveredUntil: Date(unixSeconds: covered)))
            }
            return due
        }
    }

    /// Records an alert in the outbox and moves its subscription on, in one transaction: the
    /// next alert starts at `coveredUntil` and none is recorded before `at` + the minimum interval.
    @discardableResult
    public func enqueueAlert(_ entry: OutboxEntry, channelKey: String, at date: Date) async throws(StoreError) -> Bool {
        guard let userID = entry.userID, let until = entry.coversUntil else { return false }
        return try await mailWrite("recording a mail alert") { mail in
            let added = try await mail.insert(entry, at: date)
            try await mail.connection.query("""
                UPDATE mail_alerts SET covered_until = greatest(covered_until, \(until.unixSeconds)), last_sent_at = \(date.unixSeconds)
                WHERE user_id = \(userID) AND channel_id = (SELECT id FROM channels WHERE key = \(channelKey))
                """, logger: mail.logger)
            return added
        }
    }

    /// Up to `limit` agents after user id `afterID` who chose one of `frequencies`, are enabled,
    /// have an address that does not bounce, and (with `login`, compared case-insensitively) have
    /// that login; keyset-paginated so that a digest run never holds every agent at once.
    public func digestRecipients(frequencies: [String], login: String?, afterID: Int64,
                                 limit: Int) async throws(StoreError) -> [DigestRecipient] {
        try await mailRead("listing digest recipients") { mail in
            var recipients: [DigestRecipient] = []
            for try await row in try await mail.connection.query("""
                SELECT u.id, u.login, u.name, u.email, u.language, u.digest_frequency, u.created_at, d.covered_until,
                  EXISTS (SELECT 1 FROM mail_outbox o WHERE o.user_id = u.id AND o.kind = 'digest' AND o.status = 'pending')
                FROM users u LEFT JOIN mail_digest_state d ON d.user_id = u.id
                WHERE u.id > \(afterID) AND NOT u.disabled AND u.email IS NOT NULL AND u.email <> ''
                  AND u.digest_frequency = ANY(\(frequencies))
                  AND (\(login)::text IS NULL OR lower(u.login) = lower(\(login)))
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE lower(b.address) = lower(u.email))
                ORDER BY u.id LIMIT \(max(0, limit))
                """, logger: mail.logger) {
                let (id, login, name, email, language, frequency, created, covered, pending) =
                    try row.decode((Int64, String, String, String, String, String, Int64, Int64?, Bool).self)
                recipients.append(DigestRecipient(userID: id, login: login, name: name, email: email, language: language,
                                                  frequency: frequency, coveredUntil: covered.map(Date.init(unixSeconds:)),
                                                  createdAt: Date(unixSeconds: created), hasPendingDigest: pending))
            }
            return recipients
        }
    }

    /// The live channels the agent follows, in catalogue order, with the agent's unread counts.
    public func digestChannels(userID: Int64) async throws(StoreError) -> [DigestChannel] {
        try await mailRead("reading followed channels") { mail in
            var channels: [DigestChannel] = []
            for try await (key, title, kind, unread) in try await mail.connection.query("""
                SELECT c.key, c.title, c.kind, \(unescaped: PostgresMail.unread(user: "s.user_id"))
                FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                LEFT JOIN user_channel_reads r ON r.user_id = s.user_id AND r.channel_id = c.id
                WHERE s.user_id = \(userID) AND c.retired_at IS NULL ORDER BY c.kind COLLATE "C", c.position, c.id
                """, logger: mail.logger).decode((String, String, String, Int).self) {
                channels.append(DigestChannel(key: key, title: title, kind: kind, unread: unread))
            }
            return channels
        }
    }

    /// The items a channel received from `since` (included) to `until` (excluded), by the time
    /// Kiosque stored them, not the date the feed claims: how many, and the `limit` most recent.
    /// Half-open, so that consecutive periods neither overlap nor leave a second out.
    public func channelNews(channelKey: String, since: Date, until: Date, limit: Int) async throws(StoreError) -> DigestChannelNews {
        try await channelNews(channelKey: channelKey, since: since, until: until, limit: limit, userID: nil)
    }

    /// `channelNews` as agent `userID` sees them (items of announcements for a targeted audience
    /// only for that audience); nil: what every agent sees (no targeted announcement at all).
    public func channelNews(channelKey: String, since: Date, until: Date, limit: Int,
                            userID: Int64?) async throws(StoreError) -> DigestChannelNews {
        try await mailRead("reading a channel's news") { mail in
            let (connection, logger) = (mail.connection, mail.logger)
            guard let channel = try await PostgresRows.all(connection.query(
                "SELECT id FROM channels WHERE key = \(channelKey)", logger: logger), Int64.self).first else {
                return DigestChannelNews(count: 0, items: [])
            }
            // The stored time and the audience are checked on each item of the channel.
            func selected(_ builder: inout SQLBuilder) -> String {
                let user = builder.bind(userID ?? -1)
                return "ci.channel_id = \(builder.bind(channel)) AND i.fetched_at >= \(builder.bind(since.unixSeconds)) "
                    + "AND i.fetched_at < \(builder.bind(until.unixSeconds)) AND " + AnnouncementScope.itemVisible(item: "i.id", user: user)
            }
            var counter = SQLBuilder()
            counter.sql = "SELECT count(*) FROM channel_items ci JOIN items i ON i.id = ci.item_id WHERE \(selected(&counter))"
            let count = try await PostgresRows.all(connection.query(counter.query, logger: logger), Int.self).first ?? 0
            guard count > 0 else { return DigestChannelNews(count: 0, items: []) }
            var builder = SQLBuilder()
            builder.sql = """
                SELECT i.id, i.title, i.link, i.sort_at, s.title
                FROM channel_items ci JOIN items i ON i.id = ci.item_id JOIN sources s ON s.id = i.source_id
                WHERE \(selected(&builder)) ORDER BY ci.sort_at DESC, ci.item_id DESC LIMIT \(builder.bind(max(0, limit)))
                """
            var items: [DigestItem] = []
            for try await (id, title, link, sortAt, source) in try await connection.query(builder.query, logger: logger)
                .decode((Int64, String?, String?, Int64, String).self) {
                items.append(DigestItem(id: id, title: title ?? "", link: link, sourceTitle: source, date: Date(unixSeconds: sortAt)))
            }
            return DigestChannelNews(count: count, items: items)
        }
    }
}
