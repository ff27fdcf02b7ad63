public import Foundation
import GRDB

extension AppDatabase {
    /// Appends an access/activity event (personal data: purged after the configured delay).
    public func logActivity(action: String, userID: Int64?, detail: String? = nil, address: String? = nil,
                            at date: Date = Date()) async throws(StoreError) {
        try await write("logging activity", changes: .bookkeeping) { db in
            try db.execute(sql: "INSERT INTO activity_log (at, user_id, action, detail, address) VALUES (?, ?, ?, ?, ?)",
                           arguments: [date.unixSeconds, userID, action, detail, address])
        }
    }

    /// Rolls events older than `days` up into anonymous daily counts, then deletes them; returns rows purged.
    @discardableResult
    public func purgeActivity(olderThanDays days: Int, now: Date = Date()) async throws(StoreError) -> Int {
        let cutoff = now.unixSeconds - Int64(days) * 86_400
        return try await write("purging the activity log", changes: .bookkeeping) { db in
            try db.execute(sql: """
                INSERT INTO activity_daily (day, action, events, users)
                SELECT date(at, 'unixepoch'), action, count(*), count(DISTINCT user_id) FROM activity_log WHERE at < ?
                GROUP BY 1, 2
                ON CONFLICT(day, action) DO UPDATE SET events = events + excluded.events, users = max(users, excluded.users)
                """, arguments: [cutoff])
            try db.execute(sql: "DELETE FROM activity_log WHERE at < ?", arguments: [cutoff])
            let purged = db.changesCount
            try db.execute(sql: "DELETE FROM login_failures WHERE at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM sign_in_log WHERE at < ?", arguments: [cutoff])
            return purged
        }
    }

    /// Daily counts (from the live log and the rolled-up history) since `since`, oldest first.
    public func dailyActivity(since: Date) async throws(StoreError) -> [DailyActivity] {
        try await read("reading activity counts") { db in
            try Row.fetchAll(db, sql: """
                SELECT day, action, sum(events) AS events, max(users) AS users FROM (
                  SELECT day, action, events, users FROM activity_daily WHERE day >= date(?1, 'unixepoch')
                  UNION ALL
                  SELECT date(at, 'unixepoch'), action, count(*), count(DISTINCT user_id) FROM activity_log WHERE at >= ?1 GROUP BY 1, 2)
                GROUP BY day, action ORDER BY day, action
                """, arguments: [since.unixSeconds]).map {
                DailyActivity(day: $0["day"], action: $0["action"], events: $0["events"], users: $0["users"])
            }
        }
    }
}
