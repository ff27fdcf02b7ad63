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

    /// Runs a parsed search: relevance (ts_rank over the small weighted `rank_vector`) blended with
    /// freshness, snippets (ts_headline) for the page shown only, facets over the ranked window.
    /// At most `searchGate.limit` searches run at once per store; the others wait their turn (a burst
    /// of searches would otherwise hold every pooled connection and share the CPU until none finished).
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        let logger = self.logger
        do {
            try await searchGate.enter()
        } catch is PostgresSearchGate.Full {
            throw .busy(operation: "searching")
        } catch {
            throw storeError(error, "waiting to search")
        }
        defer { searchGate.leave() }
        return try await read("searching") { connection in
            let pairs = try await PostgresTextQuery.phrasePairs(query, connection: connection, logger: logger)
            let engine = PostgresSearchEngine(connection: connection, logger: logger, query: query, userID: userID ?? -1, now: now,
                                              phrasePairs: pairs)
            try await connection.query("BEGIN READ ONLY", logger: logger)
            do {
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

/// How the newest matches of a query with words are collected: by ranges of item ids, newest first.
/// The GIN index gives every match of the words, in no useful order; each match costs a visit to its
/// row, so the first step only asks for the matches among the newest `spans[0]` ids (the index's
/// bitmap AND a range of the primary key), and the next ones reach further back while the window is
/// not full: a common word stops after the first step, a rare one has few matches to visit anyway.
///
/// The index's bitmap itself costs every posting of the words (175 ms for "conseil municipal" at
/// 1M items, whatever the range). When the planner expects a word that common, the first step walks
/// the primary key down from the newest item instead, testing each row, and stops at the window
/// (~7 µs a row, for window ÷ density rows: 50 ms at 1M for the same query).
///
/// With the bucketed index (v19-postgres-search-buckets: words, `id / 8192` and the source in one
/// GIN) the steps name whole buckets instead (`= ANY`, never a range: a range key collects every
/// posting of its buckets), sized from the estimate, then from the matches per bucket seen; the
/// scan skips to those buckets inside the words' postings. The id ranges above stay for a database
/// where `btree_gin` could not be created.
struct PostgresSearchSteps: Sendable {
    /// How many of the newest matches are ranked (the contract's window).
    var window: Int
    /// How far back (in ids from the newest item) each step reaches; the last step has no bound.
    var spans: [Int64]
    /// Whether the first step may walk the primary key (nil: as the estimate says; tests force it).
    var walk: Bool?
    /// Whether the steps name buckets of ids (nil: when the bucketed index exists; tests force it).
    var buckets: Bool? = nil
    /// The ids per bucket. Queries must write `(i.id / 8192)::int4` as the index does to use it
    /// (v19-postgres-search-buckets); tests use smaller buckets (same hits, no index).
    var bucketSize: Int64 = 8192

    static let standard = PostgresSearchSteps(window: SearchTuning.window,
                                              spans: [8 * Int64(SearchTuning.window), 64 * Int64(SearchTuning.window)])

    /// The index the bucket steps need (v19); without it (btree_gin refused) the id ranges are used.
    static let bucketIndex = "items_search_buckets"
    /// Past this many buckets a step reads the remaining ids in one scan (each named bucket is one
    /// more scan of the words' posting trees; a rare word is cheaper read whole).
    static let maximumBuckets = 48
    /// Sources named in the index scan for a `canal:` search at most (a scan per bucket and source).
    static let maximumSources = 32
    /// Index scans (buckets × sources) a step names at most before it reads what is left in one
    /// scan: ~0.17 ms each at 1M items ("canal:canal012 travaux": 25 buckets × 8 sources, 32 ms).
    static let maximumScans = 256

    /// How many buckets the first bucket step names, newest first: those holding the newest ids
    /// that should hold 1.5 times the window at the planner's estimated density (`estimate`
    /// matches among ids up to `newest`), at least one. Counted in ids, not buckets: the newest
    /// bucket is only partly filled.
    func firstBuckets(estimate: Int64, newest: Int64) -> Int {
        let top = newest / bucketSize
        let wanted = 1.5 * Double(window) * Double(newest) / Double(max(estimate, 1))
        let lowest = Double(newest) - wanted
        guard lowest > 0 else { return Int(top + 1) }
        return Int(max(1, top - Int64(lowest) / bucketSize + 1))
    }

    /// How many buckets the next step names, from the matches found so far (`found`, of which the
    /// window still lacks `window - found`) among the `seen` newest ids read: 1.5 times what that
    /// density needs (at least a quarter of a match a bucket assumed), at most four times the
    /// `previous` step, at least one.
    func nextBuckets(previous: Int, seen: Int64, found: Int) -> Int {
        let missing = Double(max(window - found, 0))
        let seenIDs = Double(max(seen, 1))
        let perID = max(Double(found), 0.25 * seenIDs / Double(bucketSize)) / seenIDs
        let wanted = (1.5 * missing / perID / Double(bucketSize)).rounded(.up)
        return Int(max(1, min(Double(4 * previous), wanted)))
    }

    /// Whether the first step should walk the newest rows rather than read the GIN index, for
    /// `estimate` matches (the planner's) among about `newest` items: when the index's postings cost
    /// more (~0.3 µs each, the estimate standing for them) than walking to the window (~6 µs a row,
    /// window ÷ density rows) — estimate² ≥ 40,000 × items — and the window should fill within the
    /// first span (density at least twice window ÷ span: the walk stops at the span anyway).
    func walksFirst(estimate: Int64, newest: Int64) -> Bool {
        if let walk { return walk }
        guard let first = spans.first, newest > first else { return false }
        let matches = Double(estimate), items = Double(newest)
        return matches * matches >= 40_000 * items && matches * Double(first) >= 2 * Double(window) * items
    }

    /// The steps searches use (tests narrow them to reach the later steps with a few items).
    @TaskLocal static var current = standard

    /// The id ranges `(lower, upper]` to read, newest first, for a table whose newest id is `newest`
    /// (nil: no bound on that side). With the planner's `estimate` of the matches, the first range
    /// is wide enough to hold four times the window at that density (the planner overestimates
    /// matches of several words about twice, and each step reads the words' postings again: better
    /// one step a little too wide than two), the next ones 8 times wider each.
    func ranges(newest: Int64, estimate: Int64 = 0) -> [(lower: Int64?, upper: Int64?)] {
        var reaches = spans
        if estimate > 0, let first = reaches.first {
            let wanted = Double(4 * window) * Double(newest) / Double(estimate)
            reaches[0] = max(first, Int64(min(wanted, Double(newest))))
            for index in reaches.indices.dropFirst() { reaches[index] = max(reaches[index], reaches[index - 1] * 8) }
        }
        var floors = reaches.map { newest - $0 }.filter { $0 > 0 }
        floors = floors.enumerated().filter { index, floor in index == 0 || floor < floors[index - 1] }.map(\.element)
        var ranges: [(lower: Int64?, upper: Int64?)] = []
        var upper: Int64?
        for floor in floors {
            ranges.append((floor, upper))
            upper = floor
        }
        ranges.append((nil, upper))
        return ranges
    }
}

/// One search on one connection (SQLite's SearchEngine, on tsvector/tsquery).
struct PostgresSearchEngine {
    let connection: PostgresConnection
    let logger: Logger
    let query: SearchQuery
    let userID: Int64
    let now: Date
    /// The word pairs the query's phrases need (`PostgresTextQuery.phrasePairs`), as tsquery texts.
    var phrasePairs: [String] = []

    /// The matches' SQL (`FROM … WHERE …` over items `i`, plus `extra` conditions), with the tsquery
    /// as `q.query` when there is text.
    private func matches(_ builder: inout SQLBuilder, extra: [String] = [], visibility: Bool = true, channels: Bool = true) -> String {
        var conditions: [String] = []
        var from = "items i"
        if let text = PostgresTextQuery.expression(query, into: &builder) {
            from = "items i, (SELECT \(text) AS query) q"
            conditions.append("i.search_vector @@ q.query")
            // In the same index as the words: the scan goes to the items holding the phrases' pairs.
            conditions += phrasePairs.map { "i.pair_vector @@ \(builder.bind($0))::tsquery" }
        }
        if !query.sources.isEmpty {
            conditions.append("i.source_id IN (SELECT id FROM sources WHERE key = ANY(\(builder.bind(query.sources))))")
        }
        if channels && !query.channels.isEmpty {
            conditions.append("""
                EXISTS (SELECT 1 FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
                        WHERE ci.item_id = i.id AND c.key = ANY(\(builder.bind(query.channels))))
                """)
        }
        if let since = query.since { conditions.append("i.sort_at >= \(builder.bind(since.unixSeconds))") }
        if let before = query.before { conditions.append("i.sort_at < \(builder.bind(before.unixSeconds))") }
        // Nothing is shared between agents here: each search leaves out the items hidden from its agent (issue 17).
        if visibility { conditions.append(AnnouncementScope.itemVisible(item: "i.id", user: builder.bind(userID))) }
        conditions += extra
        return "FROM " + from + " WHERE " + conditions.joined(separator: " AND ")
    }

    /// Ranks and facets the newest `window` matches. Nothing is counted beyond them: the total is
    /// exact below the window and "more than" at it (`SearchTuning.countCap` is the window).
    func rank() async throws -> RankedSearch {
        var ranking = RankedSearch()
        // Departmental documents have their own search; `service:` and document types find no article.
        if !query.services.isEmpty || query.types.contains(where: { !["article", "articles", "actualite"].contains($0) }) {
            return ranking
        }
        let steps = PostgresSearchSteps.current
        var hits: [SearchHitKey] = []
        if query.hasText {
            var newest: Int64 = 0
            var bucketed = false
            for try await (id, present) in try await connection.query("""
                SELECT coalesce(max(id), 0)::int8, to_regclass(\(PostgresSearchSteps.bucketIndex)) IS NOT NULL FROM items
                """, logger: logger).decode((Int64, Bool).self) {
                (newest, bucketed) = (id, present)
            }
            if steps.buckets ?? bucketed {
                hits = try await bucketSteps(steps, newest: newest, indexed: bucketed)
                return try await ranked(hits, window: steps.window)
            }
            // The matches come from the GIN index, or from a bounded walk of the primary key when the words
            // are common (PostgresSearchSteps). Left to itself the planner walked the primary key (or the
            // table) with no bound, testing every row's vector, which it detoasts: three times slower at
            // 30,000 items and worse as the table grows (BENCHMARKS.md, issue 18). For this transaction
            // only, after max(id) above (an index-only scan, which these settings would forbid).
            var ranges = steps.ranges(newest: newest)
            var walk = false
            if ranges.count > 1 {
                let estimate = steps.walk == nil ? try await estimatedMatches() : 0
                walk = steps.walksFirst(estimate: estimate, newest: newest)
                if !walk { ranges = steps.ranges(newest: newest, estimate: estimate) }
            }
            try await planFor(walking: walk)
            for (index, range) in ranges.enumerated() where hits.count < steps.window {
                if walk && index == 1 { try await planFor(walking: false) }
                hits += try await newestMatches(lower: range.lower, upper: range.upper, limit: steps.window - hits.count)
            }
        } else {
            var builder = SQLBuilder()
            let from = matches(&builder)
            builder.sql = "SELECT i.id, i.sort_at, i.link_hash \(from) ORDER BY i.sort_at DESC, i.id DESC LIMIT \(builder.bind(steps.window))"
            for try await (id, sortAt, linkHash) in try await connection.query(builder.query, logger: logger)
                .decode((Int64, Int64, Int64?).self) {
                hits.append(SearchHitKey(id: id, sortAt: sortAt, linkHash: linkHash, score: Double(sortAt)))
            }
        }
        return try await ranked(hits, window: steps.window)
    }

    /// The ranking of the window's `hits`, with its facets.
    private func ranked(_ hits: [SearchHitKey], window: Int) async throws -> RankedSearch {
        guard !hits.isEmpty else { return RankedSearch() }
        // A full window means at least that many matches: "more than", as SQLite says at its count cap.
        var ranking = RankedSearch(window: hits, total: hits.count, totalIsExact: hits.count < window)
        ranking.channelFacets = try await channelFacets(ranking.hits.map(\.id))
        return ranking
    }

    /// The newest matches by whole buckets of ids, newest first (v19's index has the bucket next to
    /// the words: a scan naming a few buckets skips to them in the words' postings). The first step
    /// is sized from the planner's estimate, the next ones from the matches per bucket seen so far;
    /// past `maximumBuckets` one scan reads what is left. A `canal:` search also names the channel's
    /// sources (`indexed`: the index holds them), checked against channel_items anyway.
    ///
    /// No walk of the primary key here, even for very common words: at 1M items one or two buckets
    /// (~16 ms in SQL) beat the walk (24–168 ms) for all seven queries that walked on the id-range
    /// path ("conseil municipal", "élus", "transport scolaire"…: the walk visits every row down to
    /// the window, and the planner's estimate of several words is about twice the real density).
    private func bucketSteps(_ steps: PostgresSearchSteps, newest: Int64, indexed: Bool) async throws -> [SearchHitKey] {
        var hits: [SearchHitKey] = []
        let size = steps.bucketSize
        var sources: [Int64]?
        if indexed && !query.channels.isEmpty {
            sources = try await channelSources()
            if let found = sources, found.isEmpty || found.count > PostgresSearchSteps.maximumSources { sources = nil }
        }
        let estimate = try await estimatedMatches(sources: sources)
        var top = newest / size
        try await planFor(walking: false)
        var count = steps.firstBuckets(estimate: estimate, newest: newest)
        while hits.count < steps.window && top >= 0 {
            let missing = steps.window - hits.count
            if count > PostgresSearchSteps.maximumBuckets || count * (sources?.count ?? 1) > PostgresSearchSteps.maximumScans {
                hits += try await newestMatches(lower: nil, upper: (top + 1) * size - 1, limit: missing, sources: sources)
                break
            }
            let named = Array(stride(from: top, to: max(top - Int64(count), -1), by: -1)).map { Int32($0) }
            hits += try await newestMatches(buckets: named, size: size, limit: missing, sources: sources)
            top -= Int64(named.count)
            count = steps.nextBuckets(previous: count, seen: newest - (top + 1) * size + 1, found: hits.count)
        }
        return hits
    }

    /// The ids of the sources of the query's channels: a channel lists items of its sources only
    /// (feeds through channel_sources, departments' documents and news through their own source).
    private func channelSources() async throws -> [Int64] {
        var sources: [Int64] = []
        for try await id in try await connection.query("""
            SELECT DISTINCT cs.source_id FROM channel_sources cs JOIN channels c ON c.id = cs.channel_id
            WHERE c.key = ANY(\(query.channels)) ORDER BY 1
            """, logger: logger).decode(Int64.self) {
            sources.append(id)
        }
        return sources
    }

    /// Plain index scans (walking the primary key) or GIN bitmaps only, for the rest of the transaction.
    private func planFor(walking: Bool) async throws {
        let (index, bitmap) = walking ? ("on", "off") : ("off", "on")
        try await connection.query("""
            SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', \(index), true),
                   set_config('enable_bitmapscan', \(bitmap), true)
            """, logger: logger)
    }

    /// The planner's estimate of the matches (the items' visibility left out), from its statistics
    /// of the vectors' words: no row is read.
    /// With the channels' `sources`, the channels' own condition is left out: the planner expects
    /// few rows of its semi-join (586 for "canal:canal012 travaux" at 1M, 13,900 real), the sources
    /// alone it estimates well (15,309); a filtered channel holds fewer, which the next steps see.
    private func estimatedMatches(sources: [Int64]? = nil) async throws -> Int64 {
        var builder = SQLBuilder()
        let extra = sources.map { ["i.source_id = ANY(\(builder.bind($0)))"] } ?? []
        builder.sql = "EXPLAIN SELECT 1 " + matches(&builder, extra: extra, visibility: false, channels: sources == nil)
        var estimate: Int64 = 0
        for try await line in try await connection.query(builder.query, logger: logger).decode(String.self) where estimate == 0 {
            if let range = line.range(of: #"rows=\d+"#, options: .regularExpression) {
                estimate = Int64(line[range].dropFirst(5)) ?? 0
            }
        }
        return estimate
    }

    /// The newest `limit` matches with ids in `(lower, upper]`, newest first, each ranked on its small
    /// `rank_vector` (weights {D, C, B, A}: title (A) far above summary (B), author and source (C)).
    /// The vector is read from the rows the match already visits: no second read of the row, no TOAST.
    private func newestMatches(lower: Int64?, upper: Int64?, limit: Int, sources: [Int64]? = nil) async throws -> [SearchHitKey] {
        var builder = SQLBuilder()
        var bounds: [String] = []
        if let lower { bounds.append("i.id > \(builder.bind(lower))") }
        if let upper { bounds.append("i.id <= \(builder.bind(upper))") }
        if let sources { bounds.append("i.source_id = ANY(\(builder.bind(sources)))") }
        return try await newestMatches(&builder, extra: bounds, limit: limit)
    }

    /// The newest `limit` matches in the named buckets of `size` ids (whole buckets: no id range,
    /// which the planner would AND as a second bitmap), of the given sources if any.
    private func newestMatches(buckets: [Int32], size: Int64, limit: Int, sources: [Int64]?) async throws -> [SearchHitKey] {
        var builder = SQLBuilder()
        var keys = ["(i.id / \(size))::int4 = ANY(\(builder.bind(buckets)))"]
        if let sources { keys.append("i.source_id = ANY(\(builder.bind(sources)))") }
        return try await newestMatches(&builder, extra: keys, limit: limit)
    }

    private func newestMatches(_ builder: inout SQLBuilder, extra: [String], limit: Int) async throws -> [SearchHitKey] {
        let from = matches(&builder, extra: extra)
        builder.sql = """
            SELECT w.id, w.sort_at, w.link_hash, ts_rank('{0.05, 0.2, 0.4, 1.0}', w.rank_vector, w.query, 1)::float8
            FROM (SELECT i.id, i.sort_at, i.link_hash, i.rank_vector, q.query \(from) ORDER BY i.id DESC LIMIT \(builder.bind(limit))) w
            ORDER BY w.id DESC
            """
        var hits: [SearchHitKey] = []
        for try await (id, sortAt, linkHash, rank) in try await connection.query(builder.query, logger: logger)
            .decode((Int64, Int64, Int64?, Double).self) {
            hits.append(SearchHitKey(id: id, sortAt: sortAt, linkHash: linkHash, score: blended(rank, sortAt: sortAt)))
        }
        return hits
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
