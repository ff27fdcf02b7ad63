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

    /// Forgets this instance's kept rankings (they also drop by themselves when anything they rank
    /// changes, on any instance: `PostgresRankingCache`).
    public func invalidateSearchCache() { rankings.removeAll() }

    /// Runs a parsed search: relevance (ts_rank over the small weighted `rank_vector`) blended with
    /// freshness, snippets (ts_headline) for the page shown only, facets over the ranked window.
    /// At most `searchGate.limit` searches rank at once per store; the others wait their turn (a burst
    /// of searches would otherwise hold every pooled connection and share the CPU until none finished).
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        let logger = self.logger
        let viewer = userID ?? -1
        // The ranking of what every agent may see is kept for all (read the stamp before ranking: a
        // change committed meanwhile moves it, and this ranking is never reused); the agent's own
        // targeted announcements are ranked apart, each time, and merged in (as SQLite does).
        let stamp = changes.stamp(userID: -1)
        let keeps = PostgresSearchSteps.current.keepsRankings
        let kept = keeps ? rankings.ranking(for: query, stamp: stamp, now: now) : nil
        // Only a search that ranks waits for a turn: one from a kept ranking costs about a channel page.
        let ranks = kept == nil
        if ranks {
            do {
                try await searchGate.enter()
            } catch is PostgresSearchGate.Full {
                throw .busy(operation: "searching")
            } catch {
                throw storeError(error, "waiting to search")
            }
        }
        let turn = ContinuousClock.now
        defer { if ranks { searchGate.leave(turn: turn.duration(to: .now)) } }
        async let targeted = rankTargeted(query, viewer: viewer, now: now)
        let shared: RankedSearch
        if let kept { shared = kept } else { shared = try await rank(query, userID: -1, now: now) }
        let own = try await targeted.get()
        var ranking = shared
        if !own.isEmpty {
            ranking = RankedSearch(window: shared.hits + own, total: shared.total + own.count, totalIsExact: shared.totalIsExact)
            ranking.isWindowed = shared.isWindowed
        }
        guard !ranking.hits.isEmpty else {
            if keeps && kept == nil { rankings.store(shared, for: query, stamp: stamp, now: now) }
            return SearchResults(query: query, total: ranking.total, totalIsExact: ranking.totalIsExact, items: [],
                                 channelFacets: [], monthFacets: ranking.monthFacets, isWindowed: ranking.isWindowed, pageable: 0)
        }
        // The facets (kept with the shared ranking) and the page's three parts are independent reads:
        // at once, each on a pooled connection of its own. None holds a connection while it waits for
        // another, so a small pool serves them in turn rather than deadlock.
        let page = Array(ranking.hits.dropFirst(max(0, offset)).prefix(max(0, limit)))
        let ids = page.map(\.id)
        let reader = PostgresSearchPage(query: query, userID: viewer, logger: logger)
        let window = ranking.hits.map(\.id), keptFacets = own.isEmpty ? kept?.channelFacets : nil
        async let facets = keptOrRead(keptFacets, "counting a search's channels") { try await reader.channelFacets(window, connection: $0) }
        // Snippets depend on the query and the item only: those cut for an earlier page are kept.
        let keptSnippets = keeps ? rankings.snippets(for: query, ids: ids, stamp: stamp) ?? [:] : [:]
        let uncut = ids.filter { keptSnippets[$0] == nil }
        async let cut = keptOrRead(uncut.isEmpty ? [:] : nil, "cutting a search's snippets") { try await reader.snippets(uncut, connection: $0) }
        async let channels = readResult("choosing a search's channels") { try await reader.channels(ids, connection: $0) }
        async let items = readResult("reading a search's items") {
            try await PostgresItemRows.summaries($0, ids: ids, userID: viewer, logger: logger)
        }
        let newSnippets = try await cut.get()
        let hits = reader.hits(page, items: try await items.get(), channels: try await channels.get(),
                               snippets: keptSnippets.merging(newSnippets) { kept, _ in kept })
        ranking.channelFacets = try await facets.get()
        if keeps && kept == nil && own.isEmpty { rankings.store(ranking, for: query, stamp: stamp, now: now) }
        if keeps { rankings.keep(snippets: newSnippets, for: query, stamp: stamp) }
        return SearchResults(query: query, total: ranking.total, totalIsExact: ranking.totalIsExact, items: hits,
                             channelFacets: ranking.channelFacets, monthFacets: ranking.monthFacets,
                             isWindowed: ranking.isWindowed, pageable: ranking.hits.count)
    }

    /// The newest matches of `query` the agent may see, ranked, on one connection.
    private func rank(_ query: SearchQuery, userID: Int64, now: Date) async throws(StoreError) -> RankedSearch {
        let logger = self.logger
        return try await read("searching") { connection in
            let pairs = try await PostgresTextQuery.phrasePairs(query, connection: connection, logger: logger)
            let engine = PostgresSearchEngine(connection: connection, logger: logger, query: query, userID: userID, now: now,
                                              phrasePairs: pairs)
            // One transaction: the steps' planner settings are local to it.
            try await connection.query("BEGIN READ ONLY", logger: logger)
            do {
                let ranking = try await engine.rank()
                try await connection.query("COMMIT", logger: logger)
                return ranking
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// A value kept from before, or else `readResult`'s.
    private func keptOrRead<T: Sendable>(_ kept: T?, _ what: String, _ body: (PostgresConnection) async throws -> T) async -> Result<T, StoreError> {
        if let kept { return .success(kept) }
        return await readResult(what, body)
    }

    /// The matches among the targeted announcements `viewer` is in the audience of (none without an agent).
    private func rankTargeted(_ query: SearchQuery, viewer: Int64, now: Date) async -> Result<[SearchHitKey], StoreError> {
        guard viewer > 0 else { return .success([]) }
        let logger = self.logger
        // No phrase pairs: they steer the GIN scan, and this read is driven from the announcements.
        return await readResult("searching an agent's announcements") { connection in
            try await PostgresSearchEngine(connection: connection, logger: logger, query: query, userID: viewer, now: now)
                .rankTargeted(for: viewer)
        }
    }

    /// `read` as a value, for reads run at once with `async let` (whose errors are untyped).
    private func readResult<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async -> Result<T, StoreError> {
        do { return .success(try await read(what, body)) } catch { return .failure(error) }
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
    /// Whether rankings made with these steps may be kept (`PostgresRankingCache`): the standard
    /// steps only, since tests compare several steps on one store.
    var keepsRankings = false

    static let standard = PostgresSearchSteps(window: SearchTuning.window,
                                              spans: [8 * Int64(SearchTuning.window), 64 * Int64(SearchTuning.window)],
                                              keepsRankings: true)

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

    /// The matches among the items of announcements for a targeted audience that `viewer` is in
    /// (driven from those few announcements: no GIN scan, no planner settings), the newest
    /// `window`; nothing for a search that can find no article.
    func rankTargeted(for viewer: Int64) async throws -> [SearchHitKey] {
        if !query.findsArticles {
            return []
        }
        var builder = SQLBuilder()
        let audience = builder.bind(viewer)
        let own = """
            i.id IN (SELECT ha.item_id FROM announcements ha WHERE NOT ha.everyone AND ha.item_id IS NOT NULL
                     AND \(AnnouncementScope.inAudience("ha", user: audience)))
            """
        let from = matches(&builder, extra: [own], visibility: false)
        let rank = query.hasText ? "ts_rank('{0.05, 0.2, 0.4, 1.0}', i.rank_vector, q.query, 1)::float8" : "NULL::float8"
        builder.sql = """
            SELECT i.id, i.sort_at, i.link_hash, \(rank) \(from) ORDER BY i.id DESC LIMIT \(builder.bind(PostgresSearchSteps.current.window))
            """
        var hits: [SearchHitKey] = []
        for try await (id, sortAt, linkHash, rank) in try await connection.query(builder.query, logger: logger)
            .decode((Int64, Int64, Int64?, Double?).self) {
            hits.append(SearchHitKey(id: id, sortAt: sortAt, linkHash: linkHash, score: rank.map { blended($0, sortAt: sortAt) } ?? Double(sortAt)))
        }
        return hits
    }

    /// Ranks the newest `window` matches. Nothing is counted beyond them: the total is
    /// exact below the window and "more than" at it (`SearchTuning.countCap` is the window).
    func rank() async throws -> RankedSearch {
        var ranking = RankedSearch()
        // Departmental documents have their own search; `service:` and document types find no article.
        if !query.findsArticles {
            return ranking
        }
        let steps = PostgresSearchSteps.current
        var hits: [SearchHitKey] = []
        if query.hasText {
            var newest: Int64 = 0
            var bucketed = false
            // The newest id, whether the bucketed index exists, and the bucket steps' planner settings
            // (see `planFor`) in one round trip: settings change at execution, after max(id) was
            // planned as the index-only scan they would forbid.
            for try await (id, present, _, _, _) in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT (SELECT coalesce(max(id), 0) FROM items)::int8, to_regclass('\(PostgresSearchSteps.bucketIndex)') IS NOT NULL,
                       \(Self.plannerSettings(walking: false))
                """), logger: logger).decode((Int64, Bool, String, String, String).self) {
                (newest, bucketed) = (id, present)
            }
            if steps.buckets ?? bucketed {
                hits = try await bucketSteps(steps, newest: newest, indexed: bucketed)
                return ranked(hits, window: steps.window)
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
        return ranked(hits, window: steps.window)
    }

    /// The ranking of the window's `hits` (its channel facets are the page's: `PostgresSearchPage`).
    private func ranked(_ hits: [SearchHitKey], window: Int) -> RankedSearch {
        guard !hits.isEmpty else { return RankedSearch() }
        // A full window means at least that many matches: "more than", as SQLite says at its count cap.
        return RankedSearch(window: hits, total: hits.count, totalIsExact: hits.count < window)
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
        // The planner settings are those `rank` set with its first statement.
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
        try await connection.query(PostgresQuery(unsafeSQL: "SELECT " + Self.plannerSettings(walking: walking)), logger: logger)
    }

    /// The SQL expressions that set `planFor`'s settings (three text columns): constants only, never a value of the agent's.
    static func plannerSettings(walking: Bool) -> String {
        let (index, bitmap) = walking ? ("on", "off") : ("off", "on")
        return "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', '\(index)', true), "
            + "set_config('enable_bitmapscan', '\(bitmap)', true)"
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

    /// Relevance weighted by freshness, as SQLite weighs bm25.
    private func blended(_ rank: Double, sortAt: Int64) -> Double {
        SearchTuning.blended(rank, sortAt: sortAt, now: now)
    }
}
