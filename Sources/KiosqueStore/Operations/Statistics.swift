public import Foundation
import GRDB

extension AppDatabase {
    /// Per-channel items, subscribers and reads, most read first.
    public func channelStatistics() async throws(StoreError) -> [ChannelStatistics] {
        try await read("computing channel statistics") { db in
            try Row.fetchAll(db, sql: """
                SELECT c.key, c.title, c.item_count,
                  (SELECT count(*) FROM subscriptions s WHERE s.channel_id = c.id) AS subscribers,
                  (SELECT coalesce(sum(reads), 0) FROM user_channel_reads u WHERE u.channel_id = c.id) AS reads
                FROM channels c WHERE c.retired_at IS NULL ORDER BY reads DESC, c.position
                """).map {
                ChannelStatistics(channel: ChannelRef(id: $0["key"], title: $0["title"]), items: $0["item_count"],
                                  subscribers: $0["subscribers"], reads: $0["reads"])
            }
        }
    }

    /// Items per day (by their date) since `since`, oldest first.
    public func itemsPerDay(since: Date) async throws(StoreError) -> [DailyCount] {
        try await read("counting items per day") { db in
            try Row.fetchAll(db, sql: """
                SELECT date(sort_at, 'unixepoch') AS day, count(*) AS n FROM item_keys WHERE sort_at >= ? GROUP BY 1 ORDER BY 1
                """, arguments: [since.unixSeconds]).map { DailyCount(day: $0["day"], count: $0["n"]) }
        }
    }
}
