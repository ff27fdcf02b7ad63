public import Foundation
public import KiosqueModel
public import KiosqueStoreContract
import Logging
import PostgresNIO

extension PostgresStore {
    /// Stores a source's fetched items in one transaction: new ones inserted and mapped to channels,
    /// changed ones (by content hash) updated and flagged, others left alone.
    public func ingest(sourceID: String, items: [PreparedItem], fetchedAt: Date) async throws(StoreError) -> IngestResult {
        let logger = self.logger
        return try await write("ingesting items of source \(sourceID)", changedWhen: { $0.new + $0.updated > 0 }) { connection in
            try await PostgresIngest(connection: connection, logger: logger).ingest(sourceID: sourceID, items: items, fetchedAt: fetchedAt)
        }
    }

    /// Stores several sources' items in ONE transaction (results in the same order).
    public func ingest(batches: [(sourceID: String, items: [PreparedItem])], fetchedAt: Date) async throws(StoreError) -> [IngestResult] {
        let logger = self.logger
        let batches = batches.map { PostgresIngest.Batch(sourceID: $0.sourceID, items: $0.items) }
        return try await write("ingesting items of \(batches.count) sources",
                                changedWhen: { $0.contains { $0.new + $0.updated > 0 } }) { connection in
            let ingest = PostgresIngest(connection: connection, logger: logger)
            var results: [IngestResult] = []
            for batch in batches {
                results.append(try await ingest.ingest(sourceID: batch.sourceID, items: batch.items, fetchedAt: fetchedAt))
            }
            return results
        }
    }
}

/// One source's items into PostgreSQL, with the same identity rules as SQLite (KiosqueStoreContract's
/// ItemIdentity and ChannelFilter), so both backends keep the same items and channel mappings.
///
/// A source's items go in a few statements, not one per item: each statement is a round trip and a
/// parse and plan on the server, which cost more than the row itself (BENCHMARKS.md, issue 18).
struct PostgresIngest {
    struct Batch: Sendable {
        let sourceID: String
        let items: [PreparedItem]
    }

    let connection: PostgresConnection
    let logger: Logger

    /// Rows per multi-row statement: 18 parameters an item (PostgreSQL takes at most 65,535 per
    /// statement), and a statement small enough for the server to plan quickly.
    static let itemsPerStatement = 250
    static let channelRowsPerStatement = 1_000

    func ingest(sourceID: String, items: [PreparedItem], fetchedAt: Date) async throws -> IngestResult {
        guard let sourceRowID = try await PostgresRows.all(connection.query(
            "SELECT id FROM sources WHERE key = \(sourceID)", logger: logger), Int64.self).first else {
            throw StoreError.notFound(what: "source", id: sourceID)
        }
        var channels: [(id: Int64, filter: ChannelFilter)] = []
        for try await (id, include, exclude) in try await connection.query("""
            SELECT c.id, c.include_words::text, c.exclude_words::text FROM channel_sources cs JOIN channels c ON c.id = cs.channel_id
            WHERE cs.source_id = \(sourceRowID) AND c.retired_at IS NULL AND c.kind = 'feed'
            """, logger: logger).decode((Int64, String, String).self) {
            channels.append((id, ChannelFilter(include: JSONList.decode(include), exclude: JSONList.decode(exclude))))
        }
        let fetched = fetchedAt.unixSeconds
        // A feed that repeats a guid in one document: keep the first, like a reader would (one
        // statement may not update the same row twice either).
        var seen = Set<Int64>()
        var rows: [(item: PreparedItem, keys: ItemKeys)] = []
        rows.reserveCapacity(items.count)
        for prepared in items {
            let keys = ItemKeys(prepared, fetchedAt: fetched)
            if seen.insert(keys.guidHash).inserted { rows.append((prepared, keys)) }
        }
        var result = IngestResult()
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + Self.itemsPerStatement, rows.count)]
            start = chunk.endIndex
            let written = try await upsert(chunk, sourceRowID: sourceRowID, fetched: fetched)
            result.unchanged += chunk.count - written.count
            let updated = written.values.filter { !$0.inserted }.map(\.id)
            result.new += written.count - updated.count
            result.updated += updated.count
            if !updated.isEmpty {
                try await connection.query("DELETE FROM channel_items WHERE item_id = ANY(\(updated))", logger: logger)
            }
            try await mapToChannels(chunk, written: written, channels: channels)
        }
        return result
    }

    /// Inserts the new guids and updates the changed ones (flagged) in one statement; an unchanged
    /// item returns no row. The rows written, by guid hash.
    private func upsert(_ chunk: ArraySlice<(item: PreparedItem, keys: ItemKeys)>, sourceRowID: Int64,
                        fetched: Int64) async throws -> [Int64: (id: Int64, inserted: Bool)] {
        var builder = SQLBuilder()
        var values: [String] = []
        values.reserveCapacity(chunk.count)
        for (prepared, keys) in chunk {
            let item = prepared.item
            let row = [builder.bind(sourceRowID), builder.bind(item.id.withoutNUL), builder.bind(keys.guidHash), builder.bind(keys.linkHash),
                       builder.bind(keys.canonicalLink?.withoutNUL), builder.bind(item.title?.withoutNUL), builder.bind(item.link?.withoutNUL),
                       builder.bind(item.author?.withoutNUL), builder.bind(item.summary?.withoutNUL), builder.bind(item.contentHTML?.withoutNUL),
                       builder.bind(keys.text?.withoutNUL), builder.bind(item.published?.unixSeconds), builder.bind(item.updated?.unixSeconds),
                       builder.bind(keys.sortAt), builder.bind(fetched), builder.bind(keys.contentHash),
                       builder.bind(keys.picture?.url.withoutNUL), builder.bind(keys.picture?.alt.withoutNUL)]
            values.append("(" + row.joined(separator: ", ") + ")")
        }
        builder.sql = """
            INSERT INTO items (source_id, guid, guid_hash, link_hash, canonical_link, title, link, author, summary, content_html,
              content_text, published, updated, sort_at, fetched_at, content_hash, picture_url, picture_alt)
            VALUES \(values.joined(separator: ",\n"))
            ON CONFLICT (source_id, guid_hash) DO UPDATE SET link_hash = excluded.link_hash,
              canonical_link = excluded.canonical_link, title = excluded.title, link = excluded.link, author = excluded.author,
              summary = excluded.summary, content_html = excluded.content_html, content_text = excluded.content_text,
              published = excluded.published, updated = excluded.updated, sort_at = excluded.sort_at,
              fetched_at = excluded.fetched_at, content_hash = excluded.content_hash, picture_url = excluded.picture_url,
              picture_alt = excluded.picture_alt, is_updated = true
            WHERE items.content_hash <> excluded.content_hash
            RETURNING guid_hash, id, (xmax = 0)
            """
        var written: [Int64: (id: Int64, inserted: Bool)] = [:]
        for try await (guidHash, id, inserted) in try await connection.query(builder.query, logger: logger).decode((Int64, Int64, Bool).self) {
            written[guidHash] = (id, inserted)
        }
        return written
    }

    /// The written items' rows in the channels whose filter accepts them, in the feed's order (the
    /// first of two items with the same link keeps the channel's place).
    private func mapToChannels(_ chunk: ArraySlice<(item: PreparedItem, keys: ItemKeys)>, written: [Int64: (id: Int64, inserted: Bool)],
                               channels: [(id: Int64, filter: ChannelFilter)]) async throws {
        guard !written.isEmpty, !channels.isEmpty else { return }
        let needsText = channels.contains { !$0.filter.isEmpty }
        var mapped: [(channel: Int64, sortAt: Int64, item: Int64, linkHash: Int64?)] = []
        for (prepared, keys) in chunk {
            guard let row = written[keys.guidHash] else { continue }
            let item = prepared.item
            let folded = needsText ? ChannelFilter.foldedText(
                PreparedItemFields(title: item.title, summary: item.summary, contentText: keys.text)) : ""
            for channel in channels where channel.filter.isEmpty || channel.filter.accepts(folded: folded) {
                mapped.append((channel.id, keys.sortAt, row.id, keys.linkHash))
            }
        }
        var start = 0
        while start < mapped.count {
            let part = mapped[start..<min(start + Self.channelRowsPerStatement, mapped.count)]
            start = part.endIndex
            var builder = SQLBuilder()
            let values = part.map { row in
                "(\(builder.bind(row.channel)), \(builder.bind(row.sortAt)), \(builder.bind(row.item)), \(builder.bind(row.linkHash)))"
            }
            builder.sql = """
                INSERT INTO channel_items (channel_id, sort_at, item_id, link_hash)
                VALUES \(values.joined(separator: ", ")) ON CONFLICT DO NOTHING
                """
            try await connection.query(builder.query, logger: logger)
        }
    }
}

extension String {
    /// The text without NUL characters, which PostgreSQL's text cannot hold (a feed may carry them; SQLite keeps them).
    var withoutNUL: String {
        contains("\u{0}") ? String(unicodeScalars.filter { $0 != "\u{0}" }) : self
    }
}
