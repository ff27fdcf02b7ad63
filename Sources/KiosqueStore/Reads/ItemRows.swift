import Foundation
import GRDB
import KiosqueModel

/// Loading item rows for lists: one query for a set of ids, with the agent's marks.
enum ItemRows {
    /// Listing columns; the summary is cut because lists never show more than a few lines.
    static let columns = """
        i.id, i.title, i.link, i.author, substr(i.summary, 1, 600) AS summary, i.published, i.sort_at, i.is_updated,
        s.key AS source_key, s.title AS source_title,
        EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = :user AND r.item_id = i.id) AS is_read,
        EXISTS (SELECT 1 FROM stars st WHERE st.user_id = :user AND st.item_id = i.id) AS is_starred,
        i.picture_url, i.picture_alt
        """

    /// Summaries of `ids` in the given order (missing ids skipped), with `channels` as context.
    static func summaries(_ db: Database, ids: [Int64], userID: Int64,
                          channels: [Int64: ChannelRef] = [:]) throws -> [ItemSummary] {
        guard !ids.isEmpty else { return [] }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        let statement = try db.cachedStatement(sql: """
            SELECT \(columns) FROM json_each(:ids) j CROSS JOIN items i ON i.id = j.value JOIN sources s ON s.id = i.source_id
            WHERE \(ItemAudience.visible(item: "i.id", user: ":user"))
            """)
        var byID: [Int64: ItemSummary] = [:]
        let rows = try Row.fetchCursor(statement, arguments: ["user": userID, "ids": list])
        while let row = try rows.next() {
            let item = summary(row)
            byID[item.id] = item
        }
        return ids.compactMap { id in
            guard var item = byID[id] else { return nil }
            item.channel = channels[id]
            return item
        }
    }

    /// A summary from a row that starts with `columns` (read by position: lists decode hundreds
    /// of rows, and look-ups by name scan the columns each time).
    static func summary(_ row: Row) -> ItemSummary {
        let published: Int64? = row[5]
        return ItemSummary(
            id: row[0], title: row[1], link: row[2], author: row[3], summary: row[4],
            sourceID: row[8], sourceTitle: row[9], channel: nil,
            published: published.map(Date.init(unixSeconds:)), sortDate: Date(unixSeconds: row[6]),
            isUpdated: row[7], isRead: row[10], isStarred: row[11],
            picture: (row[12] as String?).map { ItemPicture(url: $0, alt: row[13] ?? "") })
    }

    /// The store's row id and reference of a live channel, or a notFound error.
    static func channel(_ db: Database, key: String) throws -> (id: Int64, ref: ChannelRef) {
        guard let row = try db.cachedRow("SELECT id, title FROM channels WHERE key = ? AND retired_at IS NULL", [key]) else {
            throw StoreError.notFound(what: "channel", id: key)
        }
        return (row["id"], ChannelRef(id: key, title: row["title"]))
    }

    /// Fails with notFound unless the item exists and the agent may see it.
    static func requireItem(_ db: Database, _ id: Int64, userID: Int64) throws {
        guard try db.cachedValue(Bool.self, "SELECT 1 FROM items i WHERE i.id = :id AND \(ItemAudience.visible(item: "i.id", user: ":user"))",
                                  ["id": id, "user": userID]) == true else {
            throw StoreError.notFound(what: "item", id: String(id))
        }
    }

    /// Newest-first keyset page of one channel as `viewer` sees it (items hidden from them left
    /// out): (sort_at, item_id) pairs, one more than `limit`.
    static func channelKeys(_ db: Database, channelRowID: Int64, viewer: Int64, before: PageCursor?, limit: Int,
                            unreadOnly: Bool = false, notOlderThan floor: PageCursor? = nil) throws -> [(sortAt: Int64, itemID: Int64)] {
        // At most eight SQL shapes, each prepared once per connection: Ma page runs this per channel.
        var sql = "SELECT sort_at, item_id FROM channel_items ci WHERE channel_id = :channel"
        var args: [String: (any DatabaseValueConvertible)?] = ["channel": channelRowID, "user": viewer, "limit": limit + 1]
        if let before {
            sql += " AND (sort_at, item_id) < (:beforeSort, :beforeID)"
            args["beforeSort"] = before.sortAt
            args["beforeID"] = before.itemID
        }
        if let floor {
            sql += " AND (sort_at, item_id) >= (:floorSort, :floorID)"
            args["floorSort"] = floor.sortAt
            args["floorID"] = floor.itemID
        }
        if unreadOnly {
            sql += " AND NOT EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = :user AND r.item_id = ci.item_id)"
        }
        sql += " AND \(ItemAudience.visible(item: "ci.item_id", user: ":user")) ORDER BY sort_at DESC, item_id DESC LIMIT :limit"
        let statement = try db.cachedStatement(sql: sql)
        var keys: [(sortAt: Int64, itemID: Int64)] = []
        keys.reserveCapacity(limit + 1)
        let rows = try Row.fetchCursor(statement, arguments: StatementArguments(args))
        while let row = try rows.next() { keys.append((row[0], row[1])) }  // by index: name look-ups showed in profiles
        return keys
    }
}
