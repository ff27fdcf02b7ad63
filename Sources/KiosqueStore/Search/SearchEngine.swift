public import Foundation
import GRDB

extension AppDatabase {
    /// Runs a search typed by an agent (see `SearchQuery` for the syntax); bad syntax throws
    /// `.invalidSearch` with a helpful message, never an SQLite error.
    public func search(query text: String, userID: Int64?, limit: Int = 20, offset: Int = 0,
                       now: Date = Date()) async throws(StoreError) -> SearchResults {
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        return try await search(query, userID: userID, limit: limit, offset: offset, now: now)
    }

    /// Forgets cached search rankings (after writes made outside this store, and for benchmarks).
    public func invalidateSearchCache() { searchCache.invalidate() }

    /// Runs a parsed search: ranking by bm25 blended with freshness, snippets, facets.
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int = 20, offset: Int = 0,
                       now: Date = Date()) async throws(StoreError) -> SearchResults {
        let cache = searchCache
        return try await read("searching") { db in
            let engine = SearchEngine(db: db, query: query, userID: userID ?? -1, now: now)
            let generation = cache.generation
            let shared = try cache.ranking(for: query, now: now) ?? {
                let fresh = try engine.rank()
                cache.store(fresh, for: query, generation: generation, now: now)
                return fresh
            }()
            // The cached ranking holds what every agent may see; announcements for a targeted
            // audience the agent is in are ranked for them alone and merged in.
            let ranking = try engine.withTargeted(shared)
            return try engine.page(ranking, limit: max(0, limit), offset: max(0, offset))
        }
    }
}

/// The FTS5 text of a parsed query: every user word quoted, so no syntax of theirs reaches FTS5.
extension SearchQuery {
    var ftsExpression: String? {
        guard hasText else { return nil }
        func quoted(_ term: Term) -> String {
            "\"" + term.text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (term.isPrefix ? " *" : "")
        }
        // "fête de la musique" typed without quotes: "de" and "la" are in every item and would
        // make FTS5 walk its two longest lists for nothing. Quoted phrases keep them.
        let meaningful = required.filter { $0.isPhrase || $0.isPrefix || !Self.stopWords.contains($0.text.lowercased()) }
        let terms = meaningful.isEmpty ? required : meaningful
        var expression = "(" + terms.map(quoted).joined(separator: " AND ") + ")"
        for term in excluded { expression += " NOT " + quoted(term) }
        return expression
    }

    /// French function words dropped from unquoted searches (they stay indexed for phrases).
    static let stopWords: Set<String> = [
        "a", "à", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "elle", "en", "et", "il", "ils",
        "l", "la", "le", "les", "leur", "leurs", "mais", "ne", "ni", "nous", "on", "ou", "par", "pas", "pour", "qu",
        "que", "qui", "sa", "se", "ses", "son", "sur", "un", "une", "vous", "y", "the", "of", "and", "to", "in",
    ]
}

/// One search execution on one read transaction.
struct SearchEngine {
    let db: Database
    let query: SearchQuery
    let userID: Int64
    let now: Date

    /// Ranks, counts and facets the matches: everything that does not depend on the agent or the page
    /// (items of announcements for a targeted audience are left to `withTargeted`).
    func rank() throws -> RankedSearch {
        try rank(targetedFor: nil)
    }

    /// `shared` with the agent's own matches among announcements for a targeted audience they are in.
    func withTargeted(_ shared: RankedSearch) throws -> RankedSearch {
        guard userID > 0 else { return shared }
        let own = try rank(targetedFor: userID)
        guard !own.hits.isEmpty else { return shared }
        var merged = RankedSearch(window: shared.hits + own.hits, total: shared.total + own.total, totalIsExact: shared.totalIsExact)
        merged.isWindowed = shared.isWindowed
        merged.channelFacets = try channelFacets(merged.hits)
        return merged
    }

    /// With `viewer`, ranks only the items of targeted announcements of their audience (driven
    /// from the few targeted announcements, no count beyond the window, no facets); without, every
    /// other item.
    private func rank(targetedFor viewer: Int64?) throws -> RankedSearch {
        var ranking = RankedSearch()
        // Departmental documents are not stored yet (issue 9): a search for them finds no article.
        if !query.findsArticles {
            return ranking
        }
        var filters: [String] = []
        var args: [String: (any DatabaseValueConvertible)?] = ["window": SearchTuning.window]
        var targeted = ""
        if let viewer {
            targeted = "announcements ha CROSS JOIN "
            filters.append("ha.everyone = 0 AND ha.item_id = k.id AND \(AnnouncementRows.inAudience("ha", user: ":viewer"))")
            args["viewer"] = viewer
        }
        // Source and channel filters become source-tag terms inside the FTS5 query; a channel
        // additionally checks its exact mapping (keyword filters, de-duplication).
        var sourceIDs: [Int64]?
        if !query.sources.isEmpty {
            sourceIDs = try Int64.fetchAll(db, sql: "SELECT id FROM sources WHERE key IN (SELECT value FROM json_each(?))",
                                           arguments: [JSONList.encode(query.sources)])
        }
        if !query.channels.isEmpty {
            let channelSources = try Int64.fetchAll(db, sql: """
                SELECT DISTINCT cs.source_id FROM channel_sources cs JOIN channels c ON c.id = cs.channel_id
                WHERE c.key IN (SELECT value FROM json_each(?))
                """, arguments: [JSONList.encode(query.channels)])
            sourceIDs = sourceIDs.map { ids in ids.filter(channelSources.contains) } ?? channelSources
            filters.append("""
                EXISTS (SELECT 1 FROM channel_items ci WHERE ci.item_id = k.id AND ci.channel_id IN
                  (SELECT id FROM channels WHERE key IN (SELECT value FROM json_each(:channels))))
                """)
            args["channels"] = JSONList.encode(query.channels)
        }
        if let sourceIDs {
            guard !sourceIDs.isEmpty else { return ranking }
            if !query.hasText {
                filters.append("k.source_id IN (SELECT value FROM json_each(:sourceIDs))")
                args["sourceIDs"] = "[" + sourceIDs.map(String.init).joined(separator: ",") + "]"
            }
        }
        if let since = query.since { filters.append("k.sort_at >= :since"); args["since"] = since.unixSeconds }
        if let before = query.before { filters.append("k.sort_at < :before"); args["before"] = before.unixSeconds }
        // The shared ranking's own filter: kept out of `filters`, so that counting beyond the window
        // stays on the full-text index alone (an estimate, "about N").
        let shared = viewer == nil ? " AND NOT " + ItemAudience.targeted(item: "k.id") : ""
        let filterSQL = filters.map { " AND " + $0 }.joined() + shared

        let hits: [SearchHitKey]
        let from: String
        if var match = query.ftsExpression {
            if let sourceIDs {
                match += " AND source_tag : (" + sourceIDs.map { "\(SearchTuning.sourceTagPrefix)\($0)" }.joined(separator: " OR ") + ")"
            }
            args["match"] = match
            let rowID = viewer == nil ? "" : " AND f.rowid = ha.item_id"
            from = "FROM \(targeted)items_fts f JOIN item_keys k ON k.id = f.rowid WHERE items_fts MATCH :match\(rowID)\(filterSQL)"
            hits = try Row.fetchAll(db, sql: """
                SELECT f.rowid, bm25(items_fts, \(SearchTuning.weights)), k.sort_at, k.link_hash \(from)
                ORDER BY f.rowid DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { row in
                SearchHitKey(id: row[0], sortAt: row[2], linkHash: row[3], score: blended(bm25: row[1], sortAt: row[2]))
            }
        } else {
            from = "FROM \(targeted)item_keys k WHERE 1\(filterSQL)"
            hits = try Row.fetchAll(db, sql: """
                SELECT k.id, k.sort_at, k.link_hash \(from) ORDER BY k.sort_at DESC, k.id DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { row in
                SearchHitKey(id: row[0], sortAt: row[1], linkHash: row[2], score: Double(row[1] as Int64))
            }
        }
        // Beyond the window, count up to a bound: an exact count of 100,000 matches would cost
        // more than the whole search.
        var total = hits.count
        var exact = true
        if hits.count >= SearchTuning.window && viewer == nil {
            args["cap"] = SearchTuning.countCap
            let counted = filters.isEmpty && query.hasText ? "FROM items_fts WHERE items_fts MATCH :match" : from
            total = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 \(counted) LIMIT :cap)",
                                     arguments: StatementArguments(args)) ?? hits.count
            exact = total < SearchTuning.countCap
        }
        guard !hits.isEmpty else { return ranking }
        ranking = RankedSearch(window: hits, total: total, totalIsExact: exact)
        if viewer == nil { ranking.channelFacets = try channelFacets(ranking.hits) }
        return ranking
    }

    /// One page of a ranking, with the agent's marks and channels.
    func page(_ ranking: RankedSearch, limit: Int, offset: Int) throws -> SearchResults {
        let page = Array(ranking.hits.dropFirst(offset).prefix(limit))
        return SearchResults(query: query, total: ranking.total, totalIsExact: ranking.totalIsExact, items: try pageHits(page),
                             channelFacets: ranking.channelFacets, monthFacets: ranking.monthFacets, isWindowed: ranking.isWindowed,
                             pageable: ranking.hits.count)
    }

    /// bm25 (negative, lower is better) turned into a positive score and weighted by freshness.
    private func blended(bm25: Double, sortAt: Int64) -> Double {
        SearchTuning.blended(-bm25, sortAt: sortAt, now: now)
    }

    private func channelFacets(_ hits: [SearchHitKey]) throws -> [FacetCount] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.key, c.title, count(*) AS n
            FROM json_each(?) j CROSS JOIN channel_items ci ON ci.item_id = j.value JOIN channels c ON c.id = ci.channel_id
            WHERE c.retired_at IS NULL
            GROUP BY c.id ORDER BY n DESC, c.position
            """, arguments: [Self.idList(hits.map(\.id))])
        return rows.map { FacetCount(key: $0["key"], label: $0["title"], count: $0["n"]) }
    }

    /// Items, snippets and the channel to show for the page, preferring a subscribed channel.
    private func pageHits(_ page: [SearchHitKey]) throws -> [SearchHit] {
        let ids = page.map(\.id)
        let list = Self.idList(ids)
        var channels: [Int64: ChannelRef] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ci.item_id, c.key, c.title,
                   EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = ? AND s.channel_id = c.id) AS subscribed
            FROM json_each(?) j CROSS JOIN channel_items ci ON ci.item_id = j.value JOIN channels c ON c.id = ci.channel_id
            WHERE c.retired_at IS NULL
            ORDER BY subscribed, c.position DESC
            """, arguments: [userID, list]) {
            // The last row of an item wins: a followed channel, the first in the catalogue.
            channels[row["item_id"]] = ChannelRef(id: row["key"], title: row["title"])
        }
        var snippets: [Int64: [SnippetSegment]] = [:]
        if let match = query.ftsExpression {
            let open = String(SnippetSegment.open), close = String(SnippetSegment.close)
            for row in try Row.fetchAll(db, sql: """
                SELECT rowid, snippet(items_fts, 2, :o, :c, '…', 24) AS content, snippet(items_fts, 1, :o, :c, '…', 24) AS summary
                FROM items_fts WHERE items_fts MATCH :match AND rowid IN (SELECT value FROM json_each(:ids))
                """, arguments: ["o": open, "c": close, "match": match, "ids": list]) {
                let content = SnippetSegment.parse(row["content"] ?? "")
                let summary = SnippetSegment.parse(row["summary"] ?? "")
                snippets[row["rowid"]] = content.contains(where: \.highlighted) || summary.isEmpty ? content : summary
            }
        }
        let items = try ItemRows.summaries(db, ids: ids, userID: userID, channels: channels)
        let scores = Dictionary(page.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            let snippet = snippets[item.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String((item.summary ?? "").prefix(200)), highlighted: false)]
            return SearchHit(item: item, snippet: snippet, score: scores[item.id] ?? 0)
        }
    }

    static func idList(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }
}
