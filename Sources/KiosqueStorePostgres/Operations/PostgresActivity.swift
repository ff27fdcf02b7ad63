public import Foundation
public import KiosqueModel
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The activity log, the sign-in log and the statistics pages on PostgreSQL (SQLite's Activity.swift,
/// SignInLog.swift and Statistics.swift). Days are UTC days as text (`kiosque_utc_day`), sorted bytewise
/// as SQLite sorts them.
extension PostgresStore {
    /// Appends an access/activity event (personal data: purged after the configured delay).
    public func logActivity(action: String, userID: Int64?, detail: String?, address: String?, at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("logging activity", changes: .bookkeeping) { connection in
            try await connection.query("""
                INSERT INTO activity_log (at, user_id, action, detail, address)
                VALUES (\(Int64(date.timeIntervalSince1970)), \(userID), \(action), \(detail), \(address))
                """, logger: logger)
        }
    }

    /// Rolls events older than `days` up into anonymous daily counts, then deletes them; returns rows purged.
    @discardableResult
    public func purgeActivity(olderThanDays days: Int, now: Date) async throws(StoreError) -> Int {
        let cutoff = Int64(now.timeIntervalSince1970) - Int64(days) * 86_400
        let logger = self.logger
        return try await write("purging the activity log", changes: .bookkeeping) { connection in
            try await connection.query("""
                INSERT INTO activity_daily (day, action, events, users)
                SELECT kiosque_utc_day(at), action, count(*), count(DISTINCT user_id) FROM activity_log WHERE at < \(cutoff)
                GROUP BY 1, 2
                ON CONFLICT (day, action) DO UPDATE SET events = activity_daily.events + excluded.events,
                  users = greatest(activity_daily.users, excluded.users)
                """, logger: logger)
            let purged = try await PostgresRows.all(connection.query(
                "DELETE FROM activity_log WHERE at < \(cutoff) RETURNING 1", logger: logger), Int32.self).count
            try await connection.query("DELETE FROM login_failures WHERE at < \(cutoff)", logger: logger)
            try await connection.query("DELETE FROM sign_in_log WHERE at < \(cutoff)", logger: logger)
            return purged
        }
    }

    /// Daily counts (from the live log and the rolled-up history) since `since`, oldest first.
    public func dailyActivity(since: Date) async throws(StoreError) -> [DailyActivity] {
        let since = Int64(since.timeIntervalSince1970)
        let logger = self.logger
        return try await read("reading activity counts") { connection in
            var days: [DailyActivity] = []
            for try await (day, action, events, users) in try await connection.query("""
                SELECT day, action, sum(events)::bigint, max(users)::bigint FROM (
                  SELECT day, action, events::bigint AS events, users::bigint AS users FROM activity_daily
                  WHERE day >= kiosque_utc_day(\(since))
                  UNION ALL
                  SELECT kiosque_utc_day(at), action, count(*), count(DISTINCT user_id) FROM activity_log WHERE at >= \(since)
                  GROUP BY 1, 2) counted
                GROUP BY day, action ORDER BY day COLLATE "C", action COLLATE "C"
                """, logger: logger).decode((String, String, Int64, Int64).self) {
                days.append(DailyActivity(day: day, action: action, events: Int(events), users: Int(users)))
            }
            return days
        }
    }

    /// Appends a sign-in attempt to the audit log.
    public func recordSignIn(_ event: SignInEvent) async throws(StoreError) {
        let logger = self.logger
        try await write("recording a sign-in", changes: .bookkeeping) { connection in
            try await connection.query("""
                INSERT INTO sign_in_log (at, method, provider, login, user_id, address, success, reason)
                VALUES (\(Int64(event.at.timeIntervalSince1970)), \(event.method), \(event.provider), \(String(event.login.prefix(200))),
                        \(event.userID), \(event.address), \(event.success), \(event.reason.map { String($0.prefix(500)) }))
                """, logger: logger)
        }
    }

    /// The latest sign-in attempts, newest first; only failures when `failuresOnly`.
    public func signIns(limit: Int, failuresOnly: Bool) async throws(StoreError) -> [SignInEvent] {
        let logger = self.logger
        return try await read("reading the sign-in log") { connection in
            var events: [SignInEvent] = []
            for try await row in try await connection.query("""
                SELECT method, provider, login, user_id, address, success, reason, at FROM sign_in_log
                WHERE NOT (\(failuresOnly) AND success) ORDER BY at DESC, id DESC LIMIT \(max(0, limit))
                """, logger: logger).decode((String, String?, String, Int64?, String?, Bool, String?, Int64).self) {
                events.append(SignInEvent(method: row.0, provider: row.1, login: row.2, userID: row.3, address: row.4, success: row.5,
                                          reason: row.6, at: Date(timeIntervalSince1970: TimeInterval(row.7))))
            }
            return events
        }
    }

    /// Per-channel items, subscribers and reads, most read first.
    public func channelStatistics() async throws(StoreError) -> [ChannelStatistics] {
        let logger = self.logger
        return try await read("computing channel statistics") { connection in
            var statistics: [ChannelStatistics] = []
            for try await (key, title, items, subscribers, reads) in try await connection.query("""
                SELECT c.key, c.title, c.item_count::bigint,
                  (SELECT count(*) FROM subscriptions s WHERE s.channel_id = c.id) AS subscribers,
                  (SELECT coalesce(sum(reads), 0)::bigint FROM user_channel_reads u WHERE u.channel_id = c.id) AS reads
                FROM channels c WHERE c.retired_at IS NULL ORDER BY reads DESC, c.position
                """, logger: logger).decode((String, String, Int64, Int64, Int64).self) {
                statistics.append(ChannelStatistics(channel: ChannelRef(id: key, title: title), items: Int(items),
                                                    subscribers: Int(subscribers), reads: Int(reads)))
            }
            return statistics
        }
    }

    /// Items per day (by their date) since `since`, oldest first.
    public func itemsPerDay(since: Date) async throws(StoreError) -> [DailyCount] {
        let logger = self.logger
        return try await read("counting items per day") { connection in
            var days: [DailyCount] = []
            for try await (day, count) in try await connection.query("""
                SELECT kiosque_utc_day(sort_at) AS day, count(*) FROM items WHERE sort_at >= \(Int64(since.timeIntervalSince1970))
                GROUP BY 1 ORDER BY 1
                """, logger: logger).decode((String, Int64).self) {
                days.append(DailyCount(day: day, count: Int(count)))
            }
            return days
        }
    }
}
