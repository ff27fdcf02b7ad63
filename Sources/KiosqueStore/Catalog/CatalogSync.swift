public import Foundation
public import KiosqueModel
import GRDB

extension AppDatabase {
    /// Mirrors channels.yml into the store in one transaction, keeping item history of sources
    /// that remain, retiring (never deleting) removed sources, and re-mapping changed channels.
    @discardableResult
    public func syncCatalog(_ catalog: Catalog, now: Date = Date()) async throws(StoreError) -> CatalogSyncReport {
        defer { searchCache.invalidate() }
        return try await write("synchronising the catalogue", changes: .shared) { db in try CatalogSync(db: db, now: now.unixSeconds).run(catalog) }
    }

    /// Recomputes every channel's item mapping (after a change of the filter rules themselves).
    public func remapAllChannels() async throws(StoreError) {
        defer { searchCache.invalidate() }
        try await write("re-mapping channels", changes: .shared) { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM channels WHERE retired_at IS NULL AND kind = 'feed'")
            for id in ids { try CatalogSync.remap(db, channelRowID: id) }
        }
    }
}

/// One synchronisation pass; a struct so the steps share the connection and the clock.
private struct CatalogSync {
    let db: Database
    let now: Int64

    func run(_ catalog: Catalog) throws -> CatalogSyncReport {
        var report = CatalogSyncReport()
        let known = Set(try String.fetchAll(db, sql: "SELECT key FROM sources"))
        for source in catalog.sources {
            if !known.contains(source.id) { report.addedSources.append(source.id) }
            try db.execute(sql: """
                INSERT INTO sources (key, url, title, trusted) VALUES (?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET url = excluded.url, title = excluded.title,
                  trusted = excluded.trusted, retired_at = NULL
                """, arguments: [source.id, source.url, source.title ?? source.id, source.trusted])
        }
        report.retiredSources = try retireMissing("sources", keys: catalog.sources.map(\.id))

        for department in catalog.departments {
            try db.execute(sql: """
                INSERT INTO departments (key, title, categories, groups, publisher, approval) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET title = excluded.title, categories = excluded.categories,
                  groups = excluded.groups, publisher = excluded.publisher, approval = excluded.approval, retired_at = NULL
                """, arguments: [department.id, department.title, JSONList.encode(department.categories),
                                 JSONList.encode(department.groups), department.publisher, department.approval])
        }
        _ = try retireMissing("departments", keys: catalog.departments.map(\.id))

        for (position, channel) in catalog.channels.enumerated() where try syncChannel(channel, position: position) {
            report.remappedChannels.append(channel.id)
        }
        report.retiredChannels = try retireMissing("channels", keys: catalog.channels.map(\.id), extra: "AND kind = 'feed'")
        // A retired channel lists nothing; its subscriptions stay for the day it comes back.
        try db.execute(sql: "DELETE FROM channel_items WHERE channel_id IN (SELECT id FROM channels WHERE retired_at IS NOT NULL)")

        for (position, bouquet) in catalog.bouquets.enumerated() {
            try db.execute(sql: """
                INSERT INTO bouquets (key, title, description, is_default, groups, position) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET title = excluded.title, description = excluded.description,
                  is_default = excluded.is_default, groups = excluded.groups, position = excluded.position, retired_at = NULL
                """, arguments: [bouquet.id, bouquet.title, bouquet.description, bouquet.isDefault,
                                 JSONList.encode(bouquet.groups), position])
            let bouquetID = try Int64.fetchOne(db, sql: "SELECT id FROM bouquets WHERE key = ?", arguments: [bouquet.id])!
            try db.execute(sql: "DELETE FROM bouquet_channels WHERE bouquet_id = ?", arguments: [bouquetID])
            for (index, channelKey) in bouquet.channels.enumerated() {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO bouquet_channels (bouquet_id, channel_id, position)
                    SELECT ?, id, ? FROM channels WHERE key = ?
                    """, arguments: [bouquetID, index, channelKey])
            }
        }
        _ = try retireMissing("bouquets", keys: catalog.bouquets.map(\.id))
        return report
    }

    /// Upserts a channel and its source links; re-maps it when new or when its definition changed.
    private func syncChannel(_ channel: ChannelDefinition, position: Int) throws -> Bool {
        let include = JSONList.encode(channel.include), exclude = JSONList.encode(channel.exclude)
        let old = try Row.fetchOne(db, sql: """
            SELECT id, include_words, exclude_words, retired_at FROM channels WHERE key = ?
            """, arguments: [channel.id])
        let oldSources: Set<String> = try old.map { row in
            Set(try String.fetchAll(db, sql: """
                SELECT s.key FROM channel_sources cs JOIN sources s ON s.id = cs.source_id WHERE cs.channel_id = ?
                """, arguments: [row["id"] as Int64]))
        } ?? []
        try db.execute(sql: """
            INSERT INTO channels (key, title, description, include_words, exclude_words, position) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET title = excluded.title, description = excluded.description,
              include_words = excluded.include_words, exclude_words = excluded.exclude_words,
              position = excluded.position, retired_at = NULL
            """, arguments: [channel.id, channel.title, channel.description, include, exclude, position])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM channels WHERE key = ?", arguments: [channel.id])!
        let changed = old == nil || old?["retired_at"] != nil as Int64?
            || old?["include_words"] != include || old?["exclude_words"] != exclude
            || oldSources != Set(channel.sources)
        guard changed else { return false }
        try db.execute(sql: "DELETE FROM channel_sources WHERE channel_id = ?", arguments: [id])
        for key in channel.sources {
            try db.execute(sql: """
                INSERT OR IGNORE INTO channel_sources (channel_id, source_id) SELECT ?, id FROM sources WHERE key = ?
                """, arguments: [id, key])
        }
        try Self.remap(db, channelRowID: id)
        return true
    }

    /// Marks rows whose key is no longer declared as retired; returns their keys.
    private func retireMissing(_ table: String, keys: [String], extra: String = "") throws -> [String] {
        let list = JSONList.encode(keys)
        let condition = "retired_at IS NULL AND key NOT IN (SELECT value FROM json_each(?)) \(extra)"
        let retired = try String.fetchAll(db, sql: "SELECT key FROM \(table) WHERE \(condition)", arguments: [list])
        try db.execute(sql: "UPDATE \(table) SET retired_at = ? WHERE \(condition)", arguments: [now, list])
        return retired
    }

    /// Recomputes which items a channel lists, from its sources' stored items and its filters.
    static func remap(_ db: Database, channelRowID id: Int64) throws {
        try db.execute(sql: "DELETE FROM channel_items WHERE channel_id = ?", arguments: [id])
        guard let row = try Row.fetchOne(db, sql: "SELECT include_words, exclude_words FROM channels WHERE id = ?",
                                         arguments: [id]) else { return }
        let filter = ChannelFilter(include: JSONList.decode(row["include_words"]), exclude: JSONList.decode(row["exclude_words"]))
        let sources = "SELECT source_id FROM channel_sources WHERE channel_id = ?"
        if filter.isEmpty {
            try db.execute(sql: """
                INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id, link_hash)
                SELECT ?, sort_at, id, link_hash FROM items WHERE source_id IN (\(sources)) ORDER BY id
                """, arguments: [id, id])
            return
        }
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id, link_hash) VALUES (?, ?, ?, ?)
            """)
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT id, sort_at, link_hash, title, summary, content_text FROM items WHERE source_id IN (\(sources)) ORDER BY id
            """, arguments: [id])
        while let item = try cursor.next() {
            let folded = ChannelFilter.foldedText(PreparedItemFields(
                title: item["title"], summary: item["summary"], contentText: item["content_text"]))
            if filter.accepts(folded: folded) {
                try insert.execute(arguments: [id, item["sort_at"], item["id"], item["link_hash"]])
            }
        }
    }
}
