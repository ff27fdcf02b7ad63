import Foundation
import GRDB

extension AppDatabase {
    /// The agent's home page: newest `limit` items across subscribed channels, plus per-channel
    /// unread counts and, when `perChannel` > 0, each channel's newest items (grouped layout).
    /// With `documentsFor`, the same read also lists up to `documentLimit` members-only documents
    /// of the agent's departments (see `memberDocuments`).
    public func homePage(userID: Int64, limit: Int = 50, perChannel: Int = 0, documentsFor viewer: DocumentViewer? = nil,
                         documentLimit: Int = 8) async throws(StoreError) -> HomePage {
        try await read("reading the home page") { db in
            let subscribed = try db.cachedRows("""
                SELECT c.id, c.key, c.title, c.item_count, coalesce(u.reads, 0) AS reads,
                  \(ItemAudience.hiddenCount(channel: "c.id", user: "sub.user_id", unreadOnly: false)) AS hidden,
                  \(ItemAudience.hiddenCount(channel: "c.id", user: "sub.user_id", unreadOnly: true)) AS hidden_unread
                FROM subscriptions sub JOIN channels c ON c.id = sub.channel_id
                LEFT JOIN user_channel_reads u ON u.user_id = sub.user_id AND u.channel_id = c.id
                WHERE sub.user_id = ? AND c.retired_at IS NULL ORDER BY c.position, c.id
                """, [userID])
            // One short index range per channel, merged here: SQLite cannot merge 30 ordered
            // ranges itself and would sort every subscribed item instead.
            var merged = HomeRiver(limit: limit)
            var latestIDs: [[Int64]] = []
            for (index, row) in subscribed.enumerated() {
                let channelRowID: Int64 = row["id"]
                var page: [(sortAt: Int64, itemID: Int64)]
                if perChannel > 0 {
                    // The channel's own newest rows always show; older ones are read only while
                    // they may still enter the river (not older than its current last item).
                    page = try ItemRows.channelKeys(db, channelRowID: channelRowID, viewer: userID, before: nil, limit: perChannel - 1)
                    if page.count == perChannel, limit > perChannel, let last = page.last {
                        page += try ItemRows.channelKeys(db, channelRowID: channelRowID, viewer: userID,
                                                         before: PageCursor(sortAt: last.sortAt, itemID: last.itemID),
                                                         limit: limit - perChannel - 1, notOlderThan: merged.floor)
                    }
                } else {
                    page = try ItemRows.channelKeys(db, channelRowID: channelRowID, viewer: userID, before: nil, limit: limit - 1,
                                                    notOlderThan: merged.floor)
                }
                merged.add(page.map { PageCursor(sortAt: $0.sortAt, itemID: $0.itemID) }, channel: index)
                latestIDs.append(page.prefix(perChannel).map(\.itemID))
            }
            var river: [Int64] = [], context: [Int64: ChannelRef] = [:]
            for key in merged.items() {
                river.append(key.itemID)
                let row = subscribed[key.channel]
                context[key.itemID] = ChannelRef(id: row["key"], title: row["title"])
            }
            let wanted = Array(Set(river + latestIDs.joined()))
            let items = try ItemRows.summaries(db, ids: wanted, userID: userID)
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
            let channels = subscribed.enumerated().map { index, row in
                let ref = ChannelRef(id: row["key"], title: row["title"])
                let count: Int = row["item_count"], reads: Int = row["reads"], hidden: Int = row["hidden"], hiddenUnread: Int = row["hidden_unread"]
                let latest = latestIDs[index].compactMap { id in byID[id].map { item in var i = item; i.channel = ref; return i } }
                return ChannelUnread(channel: ref, unread: max(0, count - reads - hiddenUnread), total: max(0, count - hidden), latest: latest)
            }
            let riverItems = river.compactMap { id in byID[id].map { item in var i = item; i.channel = context[id]; return i } }
            let documents = try viewer.map { try Self.memberDocuments(db, viewer: $0, limit: documentLimit) } ?? []
            return HomePage(items: riverItems, channels: channels, memberDocuments: documents)
        }
    }

    /// One page of a channel, newest first, starting after `before` (keyset pagination).
    public func channelPage(channelID: String, userID: Int64, before: PageCursor? = nil, limit: Int = 30,
                            unreadOnly: Bool = false) async throws(StoreError) -> ItemPage {
        try await read("reading channel \(channelID)") { db in
            let channel = try ItemRows.channel(db, key: channelID)
            let keys = try ItemRows.channelKeys(db, channelRowID: channel.id, viewer: userID, before: before, limit: limit,
                                                unreadOnly: unreadOnly)
            let shown = keys.prefix(limit)
            let items = try ItemRows.summaries(db, ids: shown.map(\.itemID), userID: userID,
                                               channels: Dictionary(shown.map { ($0.itemID, channel.ref) }, uniquingKeysWith: { a, _ in a }))
            let next = keys.count > limit ? shown.last.map { PageCursor(sortAt: $0.sortAt, itemID: $0.itemID) } : nil
            // The same counters as Ma page: the channel's item count less the agent's reads in it and
            // the unread items hidden from them.
            let reads = "coalesce((SELECT reads FROM user_channel_reads WHERE user_id = :user AND channel_id = c.id), 0)"
            let unread = try db.cachedValue(Int.self, "SELECT \(ItemAudience.unread(user: ":user", reads: reads)) FROM channels c WHERE c.id = :channel",
                                            ["user": userID, "channel": channel.id])
            return ItemPage(items: items, nextCursor: next, channelUnread: unread)
        }
    }

    /// Unread items across the agent's subscribed channels, newest first, keyset-paginated.
    public func unreadItems(userID: Int64, before: PageCursor? = nil, limit: Int = 30) async throws(StoreError) -> ItemPage {
        try await read("listing unread items") { db in
            let channels = try db.cachedRows("""
                SELECT c.id, c.key, c.title FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                WHERE s.user_id = ? AND c.retired_at IS NULL
                """, [userID])
            var keys: [(sortAt: Int64, itemID: Int64, channel: ChannelRef)] = []
            for row in channels {
                let ref = ChannelRef(id: row["key"], title: row["title"])
                keys += try ItemRows.channelKeys(db, channelRowID: row["id"], viewer: userID, before: before, limit: limit, unreadOnly: true)
                    .map { ($0.sortAt, $0.itemID, ref) }
            }
            keys.sort { ($0.sortAt, $0.itemID) > ($1.sortAt, $1.itemID) }
            var seen = Set<Int64>(), page: [(sortAt: Int64, itemID: Int64, channel: ChannelRef)] = []
            for key in keys where seen.insert(key.itemID).inserted { page.append(key) }
            let shown = page.prefix(limit)
            let items = try ItemRows.summaries(db, ids: shown.map(\.itemID), userID: userID,
                                               channels: Dictionary(shown.map { ($0.itemID, $0.channel) }, uniquingKeysWith: { a, _ in a }))
            let next = page.count > limit ? shown.last.map { PageCursor(sortAt: $0.sortAt, itemID: $0.itemID) } : nil
            return ItemPage(items: items, nextCursor: next)
        }
    }

    /// The agent's starred items, most recently starred first (the cursor's date is the star date).
    public func starredItems(userID: Int64, before: PageCursor? = nil, limit: Int = 30) async throws(StoreError) -> ItemPage {
        try await read("listing starred items") { db in
            var sql = "SELECT starred_at, item_id FROM stars WHERE user_id = :user"
            var args: [String: (any DatabaseValueConvertible)?] = ["user": userID, "limit": limit + 1]
            if let before {
                sql += " AND (starred_at, item_id) < (:s, :i)"
                args["s"] = before.sortAt
                args["i"] = before.itemID
            }
            sql += " ORDER BY starred_at DESC, item_id DESC LIMIT :limit"
            let keys = try db.cachedRows(sql, StatementArguments(args))
                .map { (sortAt: $0["starred_at"] as Int64, itemID: $0["item_id"] as Int64) }
            let shown = keys.prefix(limit)
            let items = try ItemRows.summaries(db, ids: shown.map(\.itemID), userID: userID)
            let next = keys.count > limit ? shown.last.map { PageCursor(sortAt: $0.sortAt, itemID: $0.itemID) } : nil
            return ItemPage(items: items, nextCursor: next)
        }
    }

    /// One item with its body, its channels and its neighbours in `channelID` (default: its first channel).
    public func item(id: Int64, userID: Int64, channelID: String? = nil) async throws(StoreError) -> ItemDetail {
        try await read("reading item \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(ItemRows.columns), i.content_html, i.content_text, i.canonical_link, i.updated, i.fetched_at
                FROM items i JOIN sources s ON s.id = i.source_id WHERE i.id = :id AND \(ItemAudience.visible(item: "i.id", user: ":user"))
                """, arguments: ["user": userID, "id": id]) else {
                throw StoreError.notFound(what: "item", id: String(id))
            }
            let channels = try Row.fetchAll(db, sql: """
                SELECT c.id, c.key, c.title FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
                WHERE ci.item_id = ? AND c.retired_at IS NULL ORDER BY c.position
                """, arguments: [id])
            let context = channels.first { channelID == nil || ($0["key"] as String) == channelID } ?? channels.first
            var summary = ItemRows.summary(row)
            var previous: Int64?, next: Int64?
            if let context {
                summary.channel = ChannelRef(id: context["key"], title: context["title"])
                let args: StatementArguments = ["channel": context["id"] as Int64, "sort": summary.sortDate.unixSeconds, "id": id, "user": userID]
                let shown = ItemAudience.visible(item: "item_id", user: ":user")
                previous = try Int64.fetchOne(db, sql: """
                    SELECT item_id FROM channel_items WHERE channel_id = :channel AND (sort_at, item_id) > (:sort, :id) AND \(shown)
                    ORDER BY sort_at, item_id LIMIT 1
                    """, arguments: args)
                next = try Int64.fetchOne(db, sql: """
                    SELECT item_id FROM channel_items WHERE channel_id = :channel AND (sort_at, item_id) < (:sort, :id) AND \(shown)
                    ORDER BY sort_at DESC, item_id DESC LIMIT 1
                    """, arguments: args)
            }
            let updated: Int64? = row["updated"]
            return ItemDetail(
                summary: summary, contentHTML: row["content_html"], contentText: row["content_text"],
                canonicalLink: row["canonical_link"], updated: updated.map(Date.init(unixSeconds:)),
                fetchedAt: Date(unixSeconds: row["fetched_at"]),
                channels: channels.map { ChannelRef(id: $0["key"], title: $0["title"]) },
                previousID: previous, nextID: next)
        }
    }
}
