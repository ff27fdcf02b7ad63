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
struct PostgresIngest {
    struct Batch: Sendable {
        let sourceID: String
        let items: [PreparedItem]
    }

    let connection: PostgresConnection
    let logger: Logger

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
        let needsText = channels.contains { !$0.filter.isEmpty }
        let fetched = fetchedAt.unixSeconds
        var result = IngestResult()
        var seen = Set<Int64>()
        for prepared in items {
            let item = prepared.item
            let keys = ItemKeys(prepared, fetchedAt: fetched)
            // A feed that repeats a guid in one document: keep the first, like a reader would.
            guard seen.insert(keys.guidHash).inserted else { continue }
            let (guidHash, text, canonical, linkHash, contentHash, picture, sortAt) =
                (keys.guidHash, keys.text, keys.canonicalLink, keys.linkHash, keys.contentHash, keys.picture, keys.sortAt)
            // One statement: a new guid is inserted, a changed one updated (and flagged), an
            // unchanged one returns no row.
            var written: (id: Int64, inserted: Bool)?
            for try await (id, inserted) in try await connection.query("""
                INSERT INTO items (source_id, guid, guid_hash, link_hash, canonical_link, title, link, author, summary, content_html,
                  content_text, published, updated, sort_at, fetched_at, content_hash, picture_url, picture_alt)
                VALUES (\(sourceRowID), \(item.id.withoutNUL), \(guidHash), \(linkHash), \(canonical?.withoutNUL), \(item.title?.withoutNUL),
                  \(item.link?.withoutNUL), \(item.author?.withoutNUL), \(item.summary?.withoutNUL), \(item.contentHTML?.withoutNUL),
                  \(text?.withoutNUL), \(item.published?.unixSeconds), \(item.updated?.unixSeconds),
                  \(sortAt), \(fetched), \(contentHash), \(picture?.url.withoutNUL), \(picture?.alt.withoutNUL))
                ON CONFLICT (source_id, guid_hash) DO UPDATE SET link_hash = excluded.link_hash,
                  canonical_link = excluded.canonical_link, title = excluded.title, link = excluded.link, author = excluded.author,
                  summary = excluded.summary, content_html = excluded.content_html, content_text = excluded.content_text,
                  published = excluded.published, updated = excluded.updated, sort_at = excluded.sort_at,
                  fetched_at = excluded.fetched_at, content_hash = excluded.content_hash, picture_url = excluded.picture_url,
                  picture_alt = excluded.picture_alt, is_updated = true
                WHERE items.content_hash <> excluded.content_hash
                RETURNING id, (xmax = 0)
                """, logger: logger).decode((Int64, Bool).self) {
                written = (id, inserted)
            }
            guard let written else { result.unchanged += 1; continue }
            if written.inserted {
                result.new += 1
            } else {
                result.updated += 1
                try await connection.query("DELETE FROM channel_items WHERE item_id = \(written.id)", logger: logger)
            }
            let folded = needsText ? ChannelFilter.foldedText(
                PreparedItemFields(title: item.title, summary: item.summary, contentText: text)) : ""
            for channel in channels where channel.filter.isEmpty || channel.filter.accepts(folded: folded) {
                try await connection.query("""
                    INSERT INTO channel_items (channel_id, sort_at, item_id, link_hash)
                    VALUES (\(channel.id), \(sortAt), \(written.id), \(linkHash)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        return result
    }
}

extension String {
    /// The text without NUL characters, which PostgreSQL's text cannot hold (a feed may carry them; SQLite keeps them).
    var withoutNUL: String {
        contains("\u{0}") ? String(unicodeScalars.filter { $0 != "\u{0}" }) : self
    }
}
