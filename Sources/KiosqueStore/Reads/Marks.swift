public import Foundation
import GRDB

extension AppDatabase {
    /// Marks one item read for the agent; returns false if it already was.
    @discardableResult
    public func markRead(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await write("marking item \(itemID) read", changes: .agent(userID)) { db in
            try ItemRows.requireItem(db, itemID, userID: userID)
            try db.execute(sql: "INSERT OR IGNORE INTO read_marks (user_id, item_id) VALUES (?, ?)", arguments: [userID, itemID])
            return db.changesCount > 0
        }
    }

    /// Marks one item unread again; returns false if it was not read.
    @discardableResult
    public func markUnread(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await write("marking item \(itemID) unread", changes: .agent(userID)) { db in
            try ItemRows.requireItem(db, itemID, userID: userID)
            try db.execute(sql: "DELETE FROM read_marks WHERE user_id = ? AND item_id = ?", arguments: [userID, itemID])
            return db.changesCount > 0
        }
    }

    /// Stars an item for the agent (starred items survive retention); false if already starred.
    @discardableResult
    public func star(itemID: Int64, userID: Int64, at date: Date = Date()) async throws(StoreError) -> Bool {
        try await write("starring item \(itemID)", changes: .agent(userID)) { db in
            try ItemRows.requireItem(db, itemID, userID: userID)
            try db.execute(sql: "INSERT OR IGNORE INTO stars (user_id, item_id, starred_at) VALUES (?, ?, ?)",
                           arguments: [userID, itemID, date.unixSeconds])
            return db.changesCount > 0
        }
    }

    /// Removes a star; false if the item was not starred.
    @discardableResult
    public func unstar(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await write("unstarring item \(itemID)", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM stars WHERE user_id = ? AND item_id = ?", arguments: [userID, itemID])
            return db.changesCount > 0
        }
    }

    /// Marks read every item of a channel (or, with nil, of all subscribed channels) dated at or
    /// before `olderThan` (default: everything); returns how many items changed state.
    @discardableResult
    public func markAllRead(channelID: String?, userID: Int64, olderThan: Date? = nil) async throws(StoreError) -> Int {
        try await write("marking all read", changes: .agent(userID)) { db in
            let limit = olderThan?.unixSeconds ?? Int64.max
            var total = 0
            let channelIDs: [Int64]
            if let channelID {
                channelIDs = [try ItemRows.channel(db, key: channelID).id]
            } else {
                channelIDs = try Int64.fetchAll(db, sql: "SELECT channel_id FROM subscriptions WHERE user_id = ?", arguments: [userID])
            }
            for id in channelIDs {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO read_marks (user_id, item_id)
                    SELECT :user, item_id FROM channel_items WHERE channel_id = :channel AND sort_at <= :limit
                      AND \(ItemAudience.visible(item: "item_id", user: ":user"))
                    """, arguments: ["user": userID, "channel": id, "limit": limit])
                total += db.changesCount
            }
            return total
        }
    }
}
