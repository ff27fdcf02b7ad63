public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The agent's reading on PostgreSQL (SQLite's AgentReads.swift and Marks.swift, same keyset pages).
extension PostgresStore: ReadsStore {
    /// The agent's home page: newest `limit` items across subscribed channels, plus per-channel
    /// unread counts and, when `perChannel` > 0, each channel's newest items (grouped layout).
    /// With `documentsFor`, the same read also lists up to `documentLimit` members-only documents
    /// of the agent's departments (see `memberDocuments`).
    public func homePage(userID: Int64, limit: Int, perChannel: Int, documentsFor viewer: DocumentViewer?,
                         documentLimit: Int) async throws(StoreError) -> HomePage {
        let logger = self.logger
        return try await read("reading the home page") { connection in
            var subscribed: [(id: Int64, ref: ChannelRef, total: Int, unread: Int)] = []
            for try await (id, key, title, count, reads, hidden, hiddenUnread) in try await connection.execute(
                PostgresHotStatements.HomeChannels(userID: userID), logger: logger) {
                // Hidden items leave the total; hidden unread ones leave the unread count (issue 17).
                subscribed.append((id, ChannelRef(id: key, title: title), max(0, Int(count) - Int(hidden)),
                                   max(0, Int(count) - Int(reads) - Int(hiddenUnread))))
            }
            // Every channel's newest keys in one statement (one round trip, not one per channel): as many
            // as the river or the grouped layout can take from one channel. HomeRiver drops the keys
            // below its floor itself, so the river is the one the channel-by-channel reads gave.
            let pages = try await PostgresChannelKeys(connection: connection, logger: logger, viewer: userID)
                .pages(subscribed.map(\.id), before: nil, count: perChannel > 0 ? max(limit, perChannel) : limit)
            var merged = HomeRiver(limit: limit)
            var latestIDs: [[Int64]] = []
            for (index, page) in pages.enumerated() {
                merged.add(page, channel: index)
                latestIDs.append(page.prefix(perChannel).map(\.itemID))
            }
            var river: [Int64] = [], context: [Int64: ChannelRef] = [:]
            for key in merged.items() {
                river.append(key.itemID)
                context[key.itemID] = subscribed[key.channel].ref
            }
            let items = try await PostgresItemRows.summaries(connection, ids: Array(Set(river + latestIDs.joined())), userID: userID,
                                                             logger: logger)
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
            let channels = subscribed.enumerated().map { index, channel in
                let latest = latestIDs[index].compactMap { id in byID[id].map { item in var i = item; i.channel = channel.ref; return i } }
                return ChannelUnread(channel: channel.ref, unread: channel.unread, total: channel.total, latest: latest)
            }
            let riverItems = river.compactMap { id in byID[id].map { item in var i = item; i.channel = context[id]; return i } }
            var documents: [DocumentRecord] = []
            if let viewer {
                documents = try await PostgresDocumentSearch.memberDocuments(PostgresDocumentRows(connection: connection, logger: logger),
                                                                             viewer: viewer, limit: documentLimit)
            }
            return HomePage(items: riverItems, channels: channels, memberDocuments: documents)
        }
    }

    /// One page of a channel, newest first, starting after `before` (keyset pagination).
    public func channelPage(channelID: String, userID: Int64, before: PageCursor?, limit: Int,
                            unreadOnly: Bool) async throws(StoreError) -> ItemPage {
        let logger = self.logger
        return try await read("reading channel \(channelID)") { connection in
            let channel = try await PostgresChannelKeys.channel(connection, key: channelID, logger: logger)
            let keys = try await PostgresChannelKeys(connection: connection, logger: logger, viewer: userID)
                .page(channel.id, before: before, limit: limit, unreadFor: unreadOnly ? userID : nil)
            let shown = keys.prefix(limit)
            let items = try await PostgresItemRows.summaries(connection, ids: shown.map(\.itemID), userID: userID,
                                                             channels: Dictionary(shown.map { ($0.itemID, channel.ref) }, uniquingKeysWith: { a, _ in a }),
                                                             logger: logger)
            let next = keys.count > limit ? shown.last : nil
            // The same counters as Ma page: item count less the agent's reads and the unread items hidden from them.
            let unread = try await PostgresRows.all(connection.query("""
                SELECT \(unescaped: PostgresMail.unread(user: PostgresItemAudience.user(userID)))
                FROM channels c LEFT JOIN user_channel_reads r ON r.user_id = \(userID) AND r.channel_id = c.id
                WHERE c.id = \(channel.id)
                """, logger: logger), Int64.self).first.map(Int.init)
            return ItemPage(items: items, nextCursor: next, channelUnread: unread)
        }
    }

    /// Unread items across the agent's subscribed channels, newest first, keyset-paginated.
    public func unreadItems(userID: Int64, before: PageCursor?, limit: Int) async throws(StoreError) -> ItemPage {
        let logger = self.logger
        return try await read("listing unread items") { connection in
            var channels: [(Int64, ChannelRef)] = []
            for try await (id, key, title) in try await connection.query("""
                SELECT c.id, c.key, c.title FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                WHERE s.user_id = \(userID) AND c.retired_at IS NULL
                """, logger: logger).decode((Int64, String, String).self) {
                channels.append((id, ChannelRef(id: key, title: title)))
            }
            let pages = try await PostgresChannelKeys(connection: connection, logger: logger, viewer: userID)
                .pages(channels.map(\.0), before: before, count: limit + 1, unreadFor: userID)
            var keys: [(cursor: PageCursor, channel: ChannelRef)] = []
            for (page, channel) in zip(pages, channels) { keys += page.map { ($0, channel.1) } }
            keys.sort { ($0.cursor.sortAt, $0.cursor.itemID) > ($1.cursor.sortAt, $1.cursor.itemID) }
            var seen = Set<Int64>(), page: [(cursor: PageCursor, channel: ChannelRef)] = []
            for key in keys where seen.insert(key.cursor.itemID).inserted { page.append(key) }
            let shown = page.prefix(limit)
            let items = try await PostgresItemRows.summaries(
                connection, ids: shown.map(\.cursor.itemID), userID: userID,
                channels: Dictionary(shown.map { ($0.cursor.itemID, $0.channel) }, uniquingKeysWith: { a, _ in a }), logger: logger)
            return ItemPage(items: items, nextCursor: page.count > limit ? shown.last?.cursor : nil)
        }
    }

    /// The agent's starred items, most recently starred first (the cursor's date is the star date).
    public func starredItems(userID: Int64, before: PageCursor?, limit: Int) async throws(StoreError) -> ItemPage {
        let logger = self.logger
        return try await read("listing starred items") { connection in
            var keys: [PageCursor] = []
            for try await (at, id) in try await connection.query("""
                SELECT starred_at, item_id FROM stars WHERE user_id = \(userID)
                  AND \(unescaped: AnnouncementScope.itemVisible(item: "item_id", user: PostgresItemAudience.user(userID)))
                  AND (\(before == nil) OR (starred_at, item_id) < (\(before?.sortAt ?? 0), \(before?.itemID ?? 0)))
                ORDER BY starred_at DESC, item_id DESC LIMIT \(limit + 1)
                """, logger: logger).decode((Int64, Int64).self) {
                keys.append(PageCursor(sortAt: at, itemID: id))
            }
            let shown = keys.prefix(limit)
            let items = try await PostgresItemRows.summaries(connection, ids: shown.map(\.itemID), userID: userID, logger: logger)
            return ItemPage(items: items, nextCursor: keys.count > limit ? shown.last : nil)
        }
    }

    /// One item with its body, its channels and its neighbours in `channelID` (default: its first channel).
    public func item(id: Int64, userID: Int64, channelID: String?) async throws(StoreError) -> ItemDetail {
        let logger = self.logger
        return try await read("reading item \(id)") { connection in
            guard var summary = try await PostgresItemRows.summaries(connection, ids: [id], userID: userID, logger: logger).first else {
                throw StoreError.notFound(what: "item", id: String(id))
            }
            var body: (html: String?, text: String?, canonical: String?, updated: Int64?, fetched: Int64)?
            for try await row in try await connection.query("""
                SELECT content_html, content_text, canonical_link, updated, fetched_at FROM items WHERE id = \(id)
                """, logger: logger).decode((String?, String?, String?, Int64?, Int64).self) {
                body = (row.0, row.1, row.2, row.3, row.4)
            }
            var channels: [(id: Int64, ref: ChannelRef)] = []
            for try await (channel, key, title) in try await connection.query("""
                SELECT c.id, c.key, c.title FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
                WHERE ci.item_id = \(id) AND c.retired_at IS NULL ORDER BY c.position
                """, logger: logger).decode((Int64, String, String).self) {
                channels.append((channel, ChannelRef(id: key, title: title)))
            }
            let context = channels.first { channelID == nil || $0.ref.id == channelID } ?? channels.first
            var previous: Int64?, next: Int64?
            if let context {
                summary.channel = context.ref
                let sortAt = Int64(summary.sortDate.timeIntervalSince1970)
                let shown = AnnouncementScope.itemVisible(item: "item_id", user: PostgresItemAudience.user(userID))
                previous = try await PostgresRows.all(connection.query("""
                    SELECT item_id FROM channel_items WHERE channel_id = \(context.id) AND (sort_at, item_id) > (\(sortAt), \(id))
                      AND \(unescaped: shown)
                    ORDER BY sort_at, item_id LIMIT 1
                    """, logger: logger), Int64.self).first
                next = try await PostgresRows.all(connection.query("""
                    SELECT item_id FROM channel_items WHERE channel_id = \(context.id) AND (sort_at, item_id) < (\(sortAt), \(id))
                      AND \(unescaped: shown)
                    ORDER BY sort_at DESC, item_id DESC LIMIT 1
                    """, logger: logger), Int64.self).first
            }
            func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
            return ItemDetail(summary: summary, contentHTML: body?.html, contentText: body?.text, canonicalLink: body?.canonical,
                              updated: body?.updated.map(date), fetchedAt: date(body?.fetched ?? 0),
                              channels: channels.map(\.ref), previousID: previous, nextID: next)
        }
    }
}

/// Keyset pages of one channel's (sort_at, item_id) keys as `viewer` sees them (items hidden from
/// them left out), one more than `limit`.
struct PostgresChannelKeys {
    let connection: PostgresConnection
    let logger: Logger
    let viewer: Int64

    func page(_ channel: Int64, before: PageCursor?, limit: Int, unreadFor userID: Int64? = nil) async throws -> [PageCursor] {
        var builder = SQLBuilder()
        var sql = "SELECT sort_at, item_id FROM channel_items ci WHERE channel_id = \(builder.bind(channel))"
        if let before { sql += " AND (sort_at, item_id) < (\(builder.bind(before.sortAt)), \(builder.bind(before.itemID)))" }
        if let userID {
            sql += " AND NOT EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = \(builder.bind(userID)) AND r.item_id = ci.item_id)"
        }
        sql += " AND " + AnnouncementScope.itemVisible(item: "ci.item_id", user: builder.bind(viewer))
        sql += " ORDER BY sort_at DESC, item_id DESC LIMIT \(builder.bind(max(0, limit + 1)))"
        builder.sql = sql
        var keys: [PageCursor] = []
        for try await (sortAt, itemID) in try await connection.query(builder.query, logger: logger).decode((Int64, Int64).self) {
            keys.append(PageCursor(sortAt: sortAt, itemID: itemID))
        }
        return keys
    }

    /// The newest `count` keys of each channel of `channels` (in that order), older than `before`, as
    /// `page` reads them one channel at a time — in one statement (LATERAL per channel, each an index scan).
    func pages(_ channels: [Int64], before: PageCursor?, count: Int, unreadFor userID: Int64? = nil) async throws -> [[PageCursor]] {
        guard !channels.isEmpty else { return [] }
        var pages = [[PageCursor]](repeating: [], count: channels.count)
        if before == nil && userID == nil {
            // Ma page's case: a prepared statement (PostgresHotStatements).
            let statement = PostgresHotStatements.NewestChannelKeys(channels: channels, viewer: viewer, count: Int64(max(0, count)))
            for try await (ord, sortAt, itemID) in try await connection.execute(statement, logger: logger) {
                pages[Int(ord) - 1].append(PageCursor(sortAt: sortAt, itemID: itemID))
            }
            return pages
        }
        var builder = SQLBuilder()
        var sql = """
            SELECT x.ord, k.sort_at, k.item_id FROM unnest(\(builder.bind(channels))::int8[]) WITH ORDINALITY AS x(channel, ord)
            CROSS JOIN LATERAL (SELECT sort_at, item_id FROM channel_items ci WHERE ci.channel_id = x.channel
            """
        if let before { sql += " AND (sort_at, item_id) < (\(builder.bind(before.sortAt)), \(builder.bind(before.itemID)))" }
        if let userID {
            sql += " AND NOT EXISTS (SELECT 1 FROM read_marks r WHERE r.user_id = \(builder.bind(userID)) AND r.item_id = ci.item_id)"
        }
        sql += " AND " + AnnouncementScope.itemVisible(item: "ci.item_id", user: builder.bind(viewer))
        sql += " ORDER BY sort_at DESC, item_id DESC LIMIT \(builder.bind(max(0, count)))) k"
        sql += " ORDER BY x.ord, k.sort_at DESC, k.item_id DESC"
        builder.sql = sql
        for try await (ord, sortAt, itemID) in try await connection.query(builder.query, logger: logger).decode((Int64, Int64, Int64).self) {
            pages[Int(ord) - 1].append(PageCursor(sortAt: sortAt, itemID: itemID))
        }
        return pages
    }

    /// The row id and reference of a live channel, or notFound.
    static func channel(_ connection: PostgresConnection, key: String, logger: Logger) async throws -> (id: Int64, ref: ChannelRef) {
        for try await (id, title) in try await connection.query(
            "SELECT id, title FROM channels WHERE key = \(key) AND retired_at IS NULL", logger: logger).decode((Int64, String).self) {
            return (id, ChannelRef(id: key, title: title))
        }
        throw StoreError.notFound(what: "channel", id: key)
    }
}
