public import Foundation
import GRDB

extension AppDatabase {
    /// The alert tables, registered as migration "v5-mail-alerts": one row per agent and channel
    /// opted in, with up to when its alerts covered the news and when the last one was recorded.
    static func migrateMailAlerts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE mail_alerts (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              covered_until INTEGER NOT NULL,
              last_sent_at INTEGER,
              PRIMARY KEY (user_id, channel_id)
            ) WITHOUT ROWID;
            """)
    }

    /// Turns an agent's alerts for a channel on (from `date` on: no backlog) or off.
    public func setMailAlert(userID: Int64, channelKey: String, enabled: Bool, at date: Date = Date()) async throws(StoreError) {
        try await write("changing mail alerts for \(channelKey)", changes: .agent(userID)) { db in
            guard let channel = try Int64.fetchOne(db, sql: "SELECT id FROM channels WHERE key = ?", arguments: [channelKey]) else {
                throw StoreError.notFound(what: "channel", id: channelKey)
            }
            if enabled {
                try db.execute(sql: "INSERT OR IGNORE INTO mail_alerts (user_id, channel_id, covered_until) VALUES (?, ?, ?)",
                               arguments: [userID, channel, date.unixSeconds])
            } else {
                try db.execute(sql: "DELETE FROM mail_alerts WHERE user_id = ? AND channel_id = ?", arguments: [userID, channel])
            }
        }
    }

    /// A channel's title, for pages that name it (nil when the channel is gone).
    public func channelTitle(key: String) async throws(StoreError) -> String? {
        try await read("reading a channel's title") { db in
            try String.fetchOne(db, sql: "SELECT title FROM channels WHERE key = ?", arguments: [key])
        }
    }

    /// The keys of the channels whose alerts the agent chose.
    public func mailAlerts(userID: Int64) async throws(StoreError) -> Set<String> {
        try await read("reading mail alerts") { db in
            Set(try String.fetchAll(db, sql: """
                SELECT c.key FROM mail_alerts a JOIN channels c ON c.id = a.channel_id WHERE a.user_id = ?
                """, arguments: [userID]))
        }
    }

    /// Alert subscriptions to the `channelKeys` channels whose last alert was recorded before
    /// `notSince` (or never), of enabled agents with an address that does not bounce.
    public func dueMailAlerts(channelKeys: [String], notSince: Date) async throws(StoreError) -> [AlertRecipient] {
        guard !channelKeys.isEmpty else { return [] }
        let keys = String(data: (try? JSONEncoder().encode(channelKeys)) ?? Data("[]".utf8), encoding: .utf8) ?? "[]"
        return try await read("listing due mail alerts") { db in
            try Row.fetchAll(db, sql: """
                SELECT u.id, u.login, u.name, u.email, u.language, u.created_at, a.covered_until,
                  c.key, c.title, c.kind, \(ItemAudience.unread(user: "u.id", reads: "coalesce(r.reads, 0)")) AS unread
                FROM mail_alerts a JOIN users u ON u.id = a.user_id JOIN channels c ON c.id = a.channel_id
                LEFT JOIN user_channel_reads r ON r.user_id = u.id AND r.channel_id = c.id
                WHERE c.key IN (SELECT value FROM json_each(?)) AND c.retired_at IS NULL
                  AND (a.last_sent_at IS NULL OR a.last_sent_at < ?)
                  AND u.disabled = 0 AND u.email IS NOT NULL AND u.email <> ''
                  AND NOT EXISTS (SELECT 1 FROM mail_bounces b WHERE b.address = u.email)
                ORDER BY u.id, c.id
                """, arguments: [keys, notSince.unixSeconds]).map { row in
                AlertRecipient(
                    recipient: DigestRecipient(userID: row["id"], login: row["login"], name: row["name"], email: row["email"],
                                               language: row["language"], frequency: "alert", coveredUntil: nil,
                                               createdAt: Date(unixSeconds: row["created_at"]), hasPendingDigest: false),
                    channel: DigestChannel(key: row["key"], title: row["title"], kind: row["kind"], unread: row["unread"]),
                    coveredUntil: Date(unixSeconds: row["covered_until"]))
            }
        }
    }

    /// Records an alert in the outbox and moves its subscription on, in one transaction: the
    /// next alert starts at `coveredUntil` and none is recorded before `at` + the minimum interval.
    @discardableResult
    public func enqueueAlert(_ entry: OutboxEntry, channelKey: String, at date: Date) async throws(StoreError) -> Bool {
        guard let userID = entry.userID, let until = entry.coversUntil else { return false }
        return try await write("recording a mail alert", changes: .bookkeeping) { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO mail_outbox (message_id, user_id, recipient, sender, kind, covers_until, body,
                  next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.messageID, userID, entry.recipient, entry.sender, entry.kind, until.unixSeconds, entry.body,
                                 date.unixSeconds, date.unixSeconds])
            let added = db.changesCount > 0
            try db.execute(sql: """
                UPDATE mail_alerts SET covered_until = max(covered_until, ?), last_sent_at = ?
                WHERE user_id = ? AND channel_id = (SELECT id FROM channels WHERE key = ?)
                """, arguments: [until.unixSeconds, date.unixSeconds, userID, channelKey])
            return added
        }
    }
}
