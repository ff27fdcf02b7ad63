public import Foundation
public import KiosqueModel
public import KiosqueStoreContract
import Logging
import PostgresNIO

extension PostgresStore {
    /// Mirrors channels.yml into the store in one transaction, keeping item history of sources
    /// that remain, retiring (never deleting) removed sources, and re-mapping changed channels.
    /// Instances starting together synchronise one after the other (an advisory lock).
    @discardableResult
    public func syncCatalog(_ catalog: Catalog, now: Date) async throws(StoreError) -> CatalogSyncReport {
        let logger = self.logger
        return try await write("synchronising the catalogue") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresCatalogSync.lockKey))", logger: logger)
            return try await PostgresCatalogSync(connection: connection, logger: logger, now: now.unixSeconds).run(catalog)
        }
    }

    /// Recomputes every channel's item mapping (after a change of the filter rules themselves).
    public func remapAllChannels() async throws(StoreError) {
        let logger = self.logger
        try await write("re-mapping channels") { connection in
            let ids = try await PostgresRows.all(connection.query(
                "SELECT id FROM channels WHERE retired_at IS NULL AND kind = 'feed'", logger: logger), Int64.self)
            for id in ids { try await PostgresCatalogSync.remap(connection, channelRowID: id, logger: logger) }
        }
    }
}

/// One synchronisation pass on one transaction (SQLite's CatalogSync, statement for statement).
struct PostgresCatalogSync {
    /// The advisory lock key of catalogue synchronisations ("KCAT").
    static let lockKey: Int64 = 0x4B43_4154
    let connection: PostgresConnection
    let logger: Logger
    let now: Int64

    func run(_ catalog: Catalog) async throws -> CatalogSyncReport {
        var report = CatalogSyncReport()
        let known = Set(try await PostgresRows.all(connection.query("SELECT key FROM sources", logger: logger), String.self))
        for source in catalog.sources {
            if !known.contains(source.id) { report.addedSources.append(source.id) }
            try await connection.query("""
                INSERT INTO sources (key, url, title, trusted) VALUES (\(source.id), \(source.url), \(source.title ?? source.id), \(source.trusted))
                ON CONFLICT (key) DO UPDATE SET url = excluded.url, title = excluded.title,
                  trusted = excluded.trusted, retired_at = NULL
                """, logger: logger)
        }
        report.retiredSources = try await retireMissing("sources", keys: catalog.sources.map(\.id))

        for department in catalog.departments {
            try await connection.query("""
                INSERT INTO departments (key, title, categories, groups, publisher, approval)
                VALUES (\(department.id), \(department.title), \(JSONList.encode(department.categories))::jsonb,
                        \(JSONList.encode(department.groups))::jsonb, \(department.publisher), \(department.approval))
                ON CONFLICT (key) DO UPDATE SET title = excluded.title, categories = excluded.categories,
                  groups = excluded.groups, publisher = excluded.publisher, approval = excluded.approval, retired_at = NULL
                """, logger: logger)
        }
        _ = try await retireMissing("departments", keys: catalog.departments.map(\.id))

        for (position, channel) in catalog.channels.enumerated() where try await syncChannel(channel, position: position) {
            report.remappedChannels.append(channel.id)
        }
        report.retiredChannels = try await retireMissing("channels", keys: catalog.channels.map(\.id), extra: "AND kind = 'feed'")
        // A retired channel lists nothing; its subscriptions stay for the day it comes back.
        try await connection.query("""
            DELETE FROM channel_items WHERE channel_id IN (SELECT id FROM channels WHERE retired_at IS NOT NULL)
            """, logger: logger)

        for (position, bouquet) in catalog.bouquets.enumerated() {
            let ids = try await PostgresRows.all(connection.query("""
                INSERT INTO bouquets (key, title, description, is_default, groups, position)
                VALUES (\(bouquet.id), \(bouquet.title), \(bouquet.description), \(bouquet.isDefault),
                        \(JSONList.encode(bouquet.groups))::jsonb, \(position))
                ON CONFLICT (key) DO UPDATE SET title = excluded.title, description = excluded.description,
                  is_default = excluded.is_default, groups = excluded.groups, position = excluded.position, retired_at = NULL
                RETURNING id
                """, logger: logger), Int64.self)
            guard let bouquetID = ids.first else { continue }
            try await connection.query("DELETE FROM bouquet_channels WHERE bouquet_id = \(bouquetID)", logger: logger)
            for (index, channelKey) in bouquet.channels.enumerated() {
                try await connection.query("""
                    INSERT INTO bouquet_channels (bouquet_id, channel_id, position)
                    SELECT \(bouquetID), id, \(index) FROM channels WHERE key = \(channelKey) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        _ = try await retireMissing("bouquets", keys: catalog.bouquets.map(\.id))
        return report
    }

    /// Upserts a channel and its source links; re-maps it when new or when its definition changed.
    private func syncChannel(_ channel: ChannelDefinition, position: Int) async throws -> Bool {
        let include = JSONList.encode(channel.include), exclude = JSONList.encode(channel.exclude)
        var old: (id: Int64, include: String, exclude: String, retired: Int64?)?
        for try await row in try await connection.query("""
            SELECT id, include_words::text, exclude_words::text, retired_at FROM channels WHERE key = \(channel.id)
            """, logger: logger).decode((Int64, String, String, Int64?).self) {
            old = (row.0, row.1, row.2, row.3)
        }
        var oldSources = Set<String>()
        if let old {
            oldSources = Set(try await PostgresRows.all(connection.query("""
                SELECT s.key FROM channel_sources cs JOIN sources s ON s.id = cs.source_id WHERE cs.channel_id = \(old.id)
                """, logger: logger), String.self))
        }
        let ids = try await PostgresRows.all(connection.query("""
            INSERT INTO channels (key, title, description, include_words, exclude_words, position)
            VALUES (\(channel.id), \(channel.title), \(channel.description), \(include)::jsonb, \(exclude)::jsonb, \(position))
            ON CONFLICT (key) DO UPDATE SET title = excluded.title, description = excluded.description,
              include_words = excluded.include_words, exclude_words = excluded.exclude_words,
              position = excluded.position, retired_at = NULL
            RETURNING id
            """, logger: logger), Int64.self)
        guard let id = ids.first else { return false }
        let changed = old == nil || old?.retired != nil
            || JSONList.decode(old?.include) != channel.include.map { $0 } || JSONList.decode(old?.exclude) != channel.exclude
            || oldSources != Set(channel.sources)
        guard changed else { return false }
        try await connection.query("DELETE FROM channel_sources WHERE channel_id = \(id)", logger: logger)
        try await connection.query("""
            INSERT INTO channel_sources (channel_id, source_id) SELECT \(id), id FROM sources WHERE key = ANY(\(channel.sources))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await Self.remap(connection, channelRowID: id, logger: logger)
        return true
    }

    /// Marks rows whose key is no longer declared as retired; returns their keys.
    private func retireMissing(_ table: String, keys: [String], extra: String = "") async throws -> [String] {
        try await PostgresRows.all(connection.query("""
            UPDATE \(unescaped: table) SET retired_at = \(now)
            WHERE retired_at IS NULL AND NOT (key = ANY(\(keys))) \(unescaped: extra)
            RETURNING key
            """, logger: logger), String.self).sorted()
    }

    /// Recomputes which items a channel lists, from its sources' stored items and its filters.
    static func remap(_ connection: PostgresConnection, channelRowID id: Int64, logger: Logger) async throws {
        try await connection.query("DELETE FROM channel_items WHERE channel_id = \(id)", logger: logger)
        var filter: ChannelFilter?
        for try await (include, exclude) in try await connection.query("""
            SELECT include_words::text, exclude_words::text FROM channels WHERE id = \(id)
            """, logger: logger).decode((String, String).self) {
            filter = ChannelFilter(include: JSONList.decode(include), exclude: JSONList.decode(exclude))
        }
        guard let filter else { return }
        let sources = "SELECT source_id FROM channel_sources WHERE channel_id = "
        if filter.isEmpty {
            try await connection.query("""
                INSERT INTO channel_items (channel_id, sort_at, item_id, link_hash)
                SELECT \(id), sort_at, id, link_hash FROM items WHERE source_id IN (\(unescaped: sources)\(id)) ORDER BY id
                ON CONFLICT DO NOTHING
                """, logger: logger)
            return
        }
        var accepted: [Int64] = []
        for try await (itemID, title, summary, text) in try await connection.query("""
            SELECT id, title, summary, content_text FROM items
            WHERE source_id IN (\(unescaped: sources)\(id)) ORDER BY id
            """, logger: logger).decode((Int64, String?, String?, String?).self) {
            let folded = ChannelFilter.foldedText(PreparedItemFields(title: title, summary: summary, contentText: text))
            if filter.accepts(folded: folded) { accepted.append(itemID) }
        }
        // The accepted items in one statement, not one INSERT per item.
        guard !accepted.isEmpty else { return }
        try await connection.query("""
            INSERT INTO channel_items (channel_id, sort_at, item_id, link_hash)
            SELECT \(id), sort_at, id, link_hash FROM items WHERE id = ANY(\(accepted)) ORDER BY id
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
