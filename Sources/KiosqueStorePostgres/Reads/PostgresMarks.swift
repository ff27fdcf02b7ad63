public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Read marks and stars on PostgreSQL; the unread counters follow through the schema's triggers.
extension PostgresStore {
    /// Marks one item read for the agent; returns false if it already was.
    @discardableResult
    public func markRead(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await changeMark("marking item \(itemID) read", itemID: itemID, userID: userID, """
            INSERT INTO read_marks (user_id, item_id) VALUES (\(userID), \(itemID)) ON CONFLICT DO NOTHING RETURNING 1
            """)
    }

    /// Marks one item unread again; returns false if it was not read.
    @discardableResult
    public func markUnread(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await changeMark("marking item \(itemID) unread", itemID: itemID, userID: userID,
                             "DELETE FROM read_marks WHERE user_id = \(userID) AND item_id = \(itemID) RETURNING 1")
    }

    /// Stars an item for the agent; false if already starred.
    @discardableResult
    public func star(itemID: Int64, userID: Int64, at date: Date) async throws(StoreError) -> Bool {
        try await changeMark("starring item \(itemID)", itemID: itemID, userID: userID, """
            INSERT INTO stars (user_id, item_id, starred_at) VALUES (\(userID), \(itemID), \(date.unixSeconds))
            ON CONFLICT DO NOTHING RETURNING 1
            """)
    }

    /// Removes a star; false if the item was not starred.
    @discardableResult
    public func unstar(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await changeMark("unstarring item \(itemID)", itemID: nil, userID: userID,
                             "DELETE FROM stars WHERE user_id = \(userID) AND item_id = \(itemID) RETURNING 1")
    }

    /// Marks read every item of a channel (or, with nil, of all subscribed channels) dated at or
    /// before `olderThan` (default: everything); returns how many items changed state.
    @discardableResult
    public func markAllRead(channelID: String?, userID: Int64, olderThan: Date?) async throws(StoreError) -> Int {
        let logger = self.logger
        let limit = olderThan?.unixSeconds ?? Int64.max
        return try await write("marking all read", changes: .agent(userID)) { connection in
            let channels: [Int64]
            if let channelID {
                channels = [try await PostgresChannelKeys.channel(connection, key: channelID, logger: logger).id]
            } else {
                channels = try await PostgresRows.all(connection.query(
                    "SELECT channel_id FROM subscriptions WHERE user_id = \(userID)", logger: logger), Int64.self)
            }
            // One statement for every channel (an item in two channels is marked, and counted, once).
            return try await PostgresRows.all(connection.query("""
                INSERT INTO read_marks (user_id, item_id)
                SELECT DISTINCT \(userID)::int8, item_id FROM channel_items WHERE channel_id = ANY(\(channels)) AND sort_at <= \(limit)
                  AND \(unescaped: AnnouncementScope.itemVisible(item: "item_id", user: PostgresItemAudience.user(userID)))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger), Int32.self).count
        }
    }

    /// Runs one mark statement (`RETURNING 1` when it changed something) after checking the item
    /// exists and the agent may see it (an item hidden from them is notFound, as on SQLite).
    private func changeMark(_ what: String, itemID: Int64?, userID: Int64, _ statement: PostgresQuery) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write(what, changes: .agent(userID)) { connection in
            if let itemID, try await PostgresRows.all(connection.query(
                """
                SELECT 1 FROM items i WHERE i.id = \(itemID)
                  AND \(unescaped: AnnouncementScope.itemVisible(item: "i.id", user: PostgresItemAudience.user(userID)))
                """, logger: logger), Int32.self).isEmpty {
                throw StoreError.notFound(what: "item", id: String(itemID))
            }
            return try await !PostgresRows.all(connection.query(statement, logger: logger), Int32.self).isEmpty
        }
    }
}
