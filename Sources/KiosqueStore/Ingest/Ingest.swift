public import Foundation
public import KiosqueModel
import GRDB

extension AppDatabase {
    /// Stores a source's fetched items in one transaction: new ones inserted and mapped to channels,
    /// changed ones (by content hash) updated and flagged, others left alone.
    public func ingest(sourceID: String, items: [PreparedItem], fetchedAt: Date) async throws(StoreError) -> IngestResult {
        defer { searchCache.invalidate() }
        let held = IndexTokenReplay.shared.hold(items)
        defer { IndexTokenReplay.shared.release(held) }
        return try await write("ingesting items of source \(sourceID)", changes: .shared) { db in
            try ItemIndexDeferral.indexingNewItemsOnce(db) { deferral in
                try Self.ingest(db, sourceID: sourceID, items: items, fetchedAt: fetchedAt, deferral: deferral)
            }
        }
    }

    /// Stores several sources' items in ONE transaction (results in the same order). The refresh
    /// pipeline should group the sources fetched within a second or so: full-text indexing costs
    /// much less per item in big transactions than in many small ones.
    public func ingest(batches: [(sourceID: String, items: [PreparedItem])], fetchedAt: Date) async throws(StoreError) -> [IngestResult] {
        defer { searchCache.invalidate() }
        // Tokens the pipeline computed ahead, replayed by the index's tokenizer during the write.
        let held = IndexTokenReplay.shared.hold(batches.flatMap(\.items))
        defer { IndexTokenReplay.shared.release(held) }
        return try await write("ingesting items of \(batches.count) sources", changes: .shared) { db in
            try ItemIndexDeferral.indexingNewItemsOnce(db) { deferral in
                try batches.map { batch in
                    try Self.ingest(db, sourceID: batch.sourceID, items: batch.items, fetchedAt: fetchedAt, deferral: deferral)
                }
            }
        }
    }

    /// The item index's tokens of `items`, computed on the caller's core for the writer to replay.
    public func prepareForIngest(_ items: [PreparedItem]) -> [PreparedItem] {
        IndexPretokenizer.prepare(items)
    }

    /// Without a `deferral`, the index's triggers index each new item as it is inserted.
    static func ingest(_ db: Database, sourceID: String, items: [PreparedItem], fetchedAt: Date,
                       deferral: ItemIndexDeferral? = nil) throws -> IngestResult {
        guard let source = try Row.fetchOne(db.cachedStatement(sql: "SELECT id FROM sources WHERE key = ?"), arguments: [sourceID]) else {
            throw StoreError.notFound(what: "source", id: sourceID)
        }
        let sourceRowID: Int64 = source["id"]
        let channels = try channelFilters(db, sourceRowID: sourceRowID)
        let needsText = channels.contains { !$0.filter.isEmpty }
        let fetched = fetchedAt.unixSeconds
        let lookup = try db.cachedStatement(sql: "SELECT id, content_hash FROM items WHERE source_id = ? AND guid_hash = ?")
        let insert = try db.cachedStatement(sql: """
            INSERT INTO items (source_id, guid, guid_hash, link_hash, canonical_link, title, link, author, summary, content_html,
              content_text, published, updated, sort_at, fetched_at, content_hash, picture_url, picture_alt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let update = try db.cachedStatement(sql: """
            UPDATE items SET link_hash = ?, canonical_link = ?, title = ?, link = ?, author = ?, summary = ?, content_html = ?,
              content_text = ?, published = ?, updated = ?, sort_at = ?, fetched_at = ?, content_hash = ?,
              picture_url = ?, picture_alt = ?, is_updated = 1
            WHERE id = ?
            """)
        let unmap = try db.cachedStatement(sql: "DELETE FROM channel_items WHERE item_id = ?")
        let map = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id, link_hash) VALUES (?, ?, ?, ?)
            """)

        var result = IngestResult()
        var seen = Set<Int64>()
        for prepared in items {
            let item = prepared.item
            let keys = ItemKeys(prepared, fetchedAt: fetched)
            // A feed that repeats a guid in one document: keep the first, like a reader would.
            guard seen.insert(keys.guidHash).inserted else { continue }
            let (guidHash, text, canonical, linkHash, contentHash, picture, sortAt) =
                (keys.guidHash, keys.text, keys.canonicalLink, keys.linkHash, keys.contentHash, keys.picture, keys.sortAt)
            let values: [(any DatabaseValueConvertible)?] = [
                linkHash, canonical, item.title, item.link, item.author, item.summary, item.contentHTML, text,
                item.published?.unixSeconds, item.updated?.unixSeconds, sortAt, fetched, contentHash,
                picture?.url, picture?.alt,
            ]
            let itemID: Int64
            if let existing = try Row.fetchOne(lookup, arguments: [sourceRowID, guidHash]) {
                let oldHash: Int64 = existing[1]  // by index: name lookups showed in profiles
                itemID = existing[0]
                if oldHash == contentHash { result.unchanged += 1; continue }
                try update.execute(arguments: StatementArguments(values + [itemID]))
                try unmap.execute(arguments: [itemID])
                result.updated += 1
            } else {
                try deferral?.beforeInsertingItem()
                try insert.execute(arguments: StatementArguments([sourceRowID, item.id, guidHash] + values))
                itemID = db.lastInsertedRowID
                result.new += 1
            }
            let folded = needsText ? ChannelFilter.foldedText(
                PreparedItemFields(title: item.title, summary: item.summary, contentText: text)) : ""
            for channel in channels where channel.filter.isEmpty || channel.filter.accepts(folded: folded) {
                try map.execute(arguments: [channel.id, sortAt, itemID, linkHash])
            }
        }
        return result
    }

    /// The live channels fed by a source, with their keyword filters.
    static func channelFilters(_ db: Database, sourceRowID: Int64) throws -> [(id: Int64, filter: ChannelFilter)] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.id, c.include_words, c.exclude_words FROM channel_sources cs JOIN channels c ON c.id = cs.channel_id
            WHERE cs.source_id = ? AND c.retired_at IS NULL AND c.kind = 'feed'
            """), arguments: [sourceRowID])
        return rows.map { row in
            (row["id"], ChannelFilter(include: JSONList.decode(row["include_words"]),
                                      exclude: JSONList.decode(row["exclude_words"])))
        }
    }
}
