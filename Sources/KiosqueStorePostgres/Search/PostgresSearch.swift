public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

extension PostgresStore {
    /// Runs a search typed by an agent (see `SearchQuery` for the syntax); bad syntax throws
    /// `.invalidSearch` with a helpful message, never a database error.
    public func search(query text: String, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        return try await search(query, userID: userID, limit: limit, offset: offset, now: now)
    }

    /// Nothing is cached between searches on PostgreSQL (several instances would need to agree on
    /// invalidations); the ranking is recomputed by each search.
    public func invalidateSearchCache() {}

    /// Runs a parsed search: relevance (ts_rank_cd over the weighted vector) blended with freshness,
    /// snippets (ts_headline) for the page shown only, facets over the ranked window.
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        let logger = self.logger
        return try await read("searching") { connection in
            let engine = PostgresSearchEngine(connection: connection, logger: logger, query: query, userID: userID ?? -1, now: now)
            // Words to find: the matches must come from the GIN index. Left to itself the planner walks
            // the primary key (or the table) testing every row's vector, which it detoasts: three times
            // slower at 30,000 items and worse as the table grows (BENCHMARKS.md, issue 18). The
            // settings hold for this transaction's ranking statement only.
            try await connection.query("BEGIN READ ONLY", logger: logger)
            do {
                if query.hasText {
                    try await connection.query("SET LOCAL enable_seqscan = off", logger: logger)
                    try await connection.query("SET LOCAL enable_indexscan = off", logger: logger)
                }
                let ranking = try await engine.rank()
                try await connection.query("COMMIT", logger: logger)
                return try await engine.page(ranking, limit: max(0, limit), offset: max(0, offset))
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}

/// One search on one connection (SQLite's SearchEngine, on tsvector/tsquery).
struct PostgresSearchEngine {
    let connection: PostgresConnection
    let logger: Logger
    let query: SearchQuery
    let userID: Int64
    let now: Date

    /// The matches' SQL (`FROM … WHERE …` over items `i`), with the tsquery as `q.query` when there is text.
    private func matches(_ builder: inout SQLBuilder) -> (from: String, hasText: Bool) {
        var conditions: [String] = []
        var from = "items i"
        if let text = PostgresTextQuery.expression(query, into: &builder) {
            from = "items i, (SELECT \(text) AS query) q"
            conditions.append("i.search_vector @@ q.query")
        }
        if !query.sources.isEmpty {
            conditions.append("i.source_id IN (SELECT id FROM sources WHERE key = ANY(\(builder.bind(query.sources))))")
        }
        if !query.channels.isEmpty {
            conditions.append("""
                EXISTS (SELECT 1 FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
                        WHERE ci.item_id = i.id AND c.key = ANY(\(builder.bind(query.channels))))
                """)
        }
        if let since = query.since { conditions.append("i.sort_at >= \(builder.bind(since.unixSeconds))") }
        if let before = query.before { conditions.append("i.sort_at < \(builder.bind(before.unixSeconds))") }
        // Nothing is shared between agents here: each search leaves out the items hidden from its agent (issue 17).
        conditions.append(AnnouncementScope.itemVisible(item: "i.id", user: builder.bind(userID)))
        return ("FROM " + from + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")), query.hasText)
    }

    /// Ranks, counts and facets the matches.
    func rank() async throws -> RankedSearch {
        var ranking = RankedSearch()
        // Departmental documents have their own search; `service:` and document types find no article.
        if !query.services.isEmpty || query.types.contains(where: { !["article", "articles", "actualite"].contains($0) }) {
            return ranking
        }
        var builder = SQLBuilder()
        let (from, hasText) = matches(&builder)
        // One scan gives the window and the capped count: the newest `countCap` matches' keys (no
        // vector carried), counted, and the window's newest `window` of them ranked (their vectors read
        // back by id) — instead of a ranking scan, then a second scan of the same matches to count them.
        func order(_ table: String) -> String { hasText ? "\(table)id DESC" : "\(table)sort_at DESC, \(table)id DESC" }
        let cap = builder.bind(SearchTuning.countCap)
        let window = builder.bind(SearchTuning.window)
        // Weights {D, C, B, A}: title (A) far above summary and content (B), author and source (C).
        // (A subquery per window row: the planner would otherwise hash-join the whole items table.)
        let score = hasText
            ? "(SELECT ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', i.search_vector, "
                + (PostgresTextQuery.expression(query, into: &builder) ?? "''::tsquery") + ", 1)::float8 FROM items i WHERE i.id = w.id)"
            : "w.sort_at::float8"
        builder.sql = """
            WITH m AS MATERIALIZED (SELECT i.id, i.sort_at, i.link_hash \(from) ORDER BY \(order("i.")) LIMIT \(cap))
            SELECT w.id, w.sort_at, w.link_hash, \(score), (SELECT count(*) FROM m)
            FROM (SELECT * FROM m ORDER BY \(order("")) LIMIT \(window)) w
            ORDER BY \(order("w."))
            """
        var hits: [SearchHitKey] = []
        var counted = 0
        for try await (id, sortAt, linkHash, rank, count) in try await connection.query(builder.query, logger: logger)
            .decode((Int64, Int64, Int64?, Double, Int64).self) {
            hits.append(SearchHitKey(id: id, sortAt: sortAt, linkHash: linkHash, score: hasText ? blended(rank, sortAt: sortAt) : rank))
            counted = Int(count)
        }
        var total = hits.count
        var exact = true
        if hits.count >= SearchTuning.window {
            total = counted
            exact = total < SearchTuning.countCap
        }
        guard !hits.isEmpty else { return ranking }
        ranking = RankedSearch(window: hits, total: total, totalIsExact: exact)
        ranking.channelFacets = try await channelFacets(ranking.hits.map(\.id))
        return ranking
    }

    /// One page of a ranking, with the agent's marks, channels and snippets.
    func page(_ ranking: RankedSearch, limit: Int, offset: Int) async throws -> SearchResults {
        let page = Array(ranking.hits.dropFirst(offset).prefix(limit))
        return SearchResults(query: query, total: ranking.total, totalIsExact: ranking.totalIsExact, items: try await pageHits(page),
                             channelFacets: ranking.channelFacets, monthFacets: ranking.monthFacets, isWindowed: ranking.isWindowed,
                             pageable: ranking.hits.count)
    }

    /// Relevance weighted by freshness, as SQLite weighs bm25.
    private func blended(_ rank: Double, sortAt: Int64) -> Double {
        SearchTuning.blended(rank, sortAt: sortAt, now: now)
    }

    private func channelFacets(_ ids: [Int64]) async throws -> [FacetCount] {
        var facets: [FacetCount] = []
        for try await (key, title, count) in try await connection.query("""
            SELECT c.key, c.title, count(*)::int8 AS n FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id = ANY(\(ids)) AND c.retired_at IS NULL
            GROUP BY c.id ORDER BY n DESC, c.position
            """, logger: logger).decode((String, String, Int64).self) {
            facets.append(FacetCount(key: key, label: title, count: Int(count)))
        }
        return facets
    }

    /// Items, snippets and the channel to show for the page (the same choice of channel as SQLite's).
    private func pageHits(_ page: [SearchHitKey]) async throws -> [SearchHit] {
        guard !page.isEmpty else { return [] }
        let ids = page.map(\.id)
        var channels: [Int64: ChannelRef] = [:]
        for try await (itemID, key, title) in try await connection.query("""
            SELECT ci.item_id, c.key, c.title FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id = ANY(\(ids)) AND c.retired_at IS NULL
            ORDER BY EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = \(userID) AND s.channel_id = c.id) DESC, c.position DESC
            """, logger: logger).decode((Int64, String, String).self) {
            channels[itemID] = ChannelRef(id: key, title: title)
        }
        var snippets: [Int64: [SnippetSegment]] = [:]
        var builder = SQLBuilder()
        if let text = PostgresTextQuery.expression(query, into: &builder) {
            let options = builder.bind("StartSel=\(SnippetSegment.open), StopSel=\(SnippetSegment.close), "
                                       + "MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…")
            builder.sql = """
                SELECT i.id, ts_headline('kiosque_french', left(coalesce(i.content_text, ''), 8000), q.query, \(options)),
                       ts_headline('kiosque_french', coalesce(i.summary, ''), q.query, \(options))
                FROM items i, (SELECT \(text) AS query) q WHERE i.id = ANY(\(builder.bind(ids)))
                """
            for try await (id, content, summary) in try await connection.query(builder.query, logger: logger)
                .decode((Int64, String, String).self) {
                let contentSegments = SnippetSegment.parse(content)
                let summarySegments = SnippetSegment.parse(summary)
                snippets[id] = contentSegments.contains(where: \.highlighted) || summarySegments.isEmpty ? contentSegments : summarySegments
            }
        }
        let items = try await PostgresItemRows.summaries(connection, ids: ids, userID: userID, channels: channels, logger: logger)
        let scores = Dictionary(page.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            let snippet = snippets[item.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String((item.summary ?? "").prefix(200)), highlighted: false)]
            return SearchHit(item: item, snippet: snippet, score: scores[item.id] ?? 0)
        }
    }
}
