import Foundation
import KiosqueModel
import KiosqueStoreContract
@testable import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// PostgreSQL collects a search's newest matches by id ranges, newest first, and ranks them on the
/// small `rank_vector` (issue 18): the steps must find what one scan of every match finds, and the
/// ranking vector must follow the items and their sources.
@Suite(.postgres)
struct PostgresSearchStepsTests {
    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/mairie.xml", title: "Ville")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie"])],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu"], isDefault: true)])
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    /// 60 items, oldest first: "piscine" in every third title, "patinoire" in the three oldest only.
    static func items() -> [PreparedItem] {
        (0..<60).map { n in
            let title = n < 3 ? "Patinoire, avis \(n)" : n % 3 == 0 ? "Piscine, avis \(n)" : "Voirie, avis \(n)"
            let item = ParsedItem(id: "item-\(n)", title: title, link: "http://127.0.0.1:9/articles/\(n)",
                                  published: now.addingTimeInterval(Double(n - 60) * 3_600), summary: "Avis aux habitants.")
            return PreparedItem(item: item, contentText: "Avis aux habitants.")
        }
    }

    static func withTown(_ body: (PostgresStore) async throws -> Void) async throws {
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(Self.catalog, now: Self.now)
            _ = try await store.ingest(sourceID: "mairie", items: Self.items(), fetchedAt: Self.now)
            try await body(store)
        }
    }

    @Test func rangesCoverEveryIdOnceNewestFirst() {
        let steps = PostgresSearchSteps(window: 5, spans: [8, 64])
        #expect(steps.ranges(newest: 100).map { [$0.lower, $0.upper] } == [[92, nil], [36, 92], [nil, 36]])
        #expect(steps.ranges(newest: 10).map { [$0.lower, $0.upper] } == [[2, nil], [nil, 2]])
        #expect(steps.ranges(newest: 5).map { [$0.lower, $0.upper] } == [[nil, nil]])
        #expect(PostgresSearchSteps(window: 5, spans: [8, 8]).ranges(newest: 100).map { [$0.lower, $0.upper] } == [[92, nil], [nil, 92]])
        // An estimate widens the first range to hold four times the window at that density, the next 8 times wider.
        #expect(steps.ranges(newest: 100, estimate: 5).map { [$0.lower, $0.upper] } == [[nil, nil]])
        #expect(steps.ranges(newest: 1_000, estimate: 500).map { [$0.lower, $0.upper] } == [[960, nil], [680, 960], [nil, 680]])
        #expect(steps.ranges(newest: 1_000, estimate: 200).map { [$0.lower, $0.upper] } == [[900, nil], [200, 900], [nil, 200]])
        // The walk is chosen for a word the planner expects in a large share of a large table only
        // (EXPLAIN at 1M items estimated 566,227 matches for "conseil municipal", 80,000 for "piscine horaires").
        let standard = PostgresSearchSteps.standard
        #expect(standard.walksFirst(estimate: 566_227, newest: 1_000_000))
        #expect(!standard.walksFirst(estimate: 80_000, newest: 1_000_000))
        #expect(standard.walksFirst(estimate: 566_227, newest: 100_000))
        #expect(!standard.walksFirst(estimate: 56_519, newest: 100_000))
        #expect(!standard.walksFirst(estimate: 8_000, newest: 100_000))
        #expect(!standard.walksFirst(estimate: 10_000, newest: 10_000))
        #expect(PostgresSearchSteps(window: 5, spans: [4], walk: false).walksFirst(estimate: 1_000, newest: 1_000) == false)
    }

    @Test func stepsFindTheNewestMatchesOneScanFinds() async throws {
        try await Self.withTown { store in
            func ids(_ query: String, _ steps: PostgresSearchSteps) async throws -> (ids: [Int64], total: Int, exact: Bool) {
                try await PostgresSearchSteps.$current.withValue(steps) {
                    let results = try await store.search(query: query, userID: nil, limit: 100, offset: 0, now: Self.now)
                    return (results.items.map(\.item.id).sorted(by: >), results.total, results.totalIsExact)
                }
            }
            // Every match, in one unbounded scan.
            let every = try await ids("piscine", PostgresSearchSteps(window: 100, spans: []))
            #expect(every.ids.count == 19 && every.exact)
            // A window of 5 from steps of 4 then 12 ids: the first step (ids 57-60) holds 1 match,
            // the second (ids 45-56) 4, so the window fills in the second step and is exactly the 5 newest matches.
            let stepped = try await ids("piscine", PostgresSearchSteps(window: 5, spans: [4, 12]))
            #expect(stepped.ids == Array(every.ids.prefix(5)))
            #expect(stepped.total == 5 && !stepped.exact)
            #expect(try await ids("piscine", PostgresSearchSteps(window: 5, spans: [])).ids == stepped.ids)
            // Walking the newest ids first (the choice for a common word) finds the same window.
            let walked = try await ids("piscine", PostgresSearchSteps(window: 5, spans: [4, 12], walk: true))
            #expect(walked.ids == stepped.ids && walked.total == 5 && !walked.exact)
            #expect(try await ids("piscine", PostgresSearchSteps(window: 5, spans: [40], walk: true)).ids == stepped.ids)
            // Matches only among the oldest items: found by the last, unbounded step.
            let old = try await ids("patinoire", PostgresSearchSteps(window: 5, spans: [4, 12]))
            #expect(old.ids.count == 3 && old.total == 3 && old.exact)
            #expect(try await ids("patinoire", PostgresSearchSteps(window: 5, spans: [4, 12], walk: true)).ids == old.ids)
            // Filters and exclusions hold in every step, walked or not.
            for walk in [true, false] {
                let filtered = try await ids("piscine -avis canal:actu", PostgresSearchSteps(window: 5, spans: [4, 12], walk: walk))
                #expect(filtered.ids.isEmpty && filtered.exact)
            }
            // With the standard steps (one unbounded step for a table this small), the same as one scan.
            #expect(try await ids("piscine", .standard).ids == every.ids)
        }
    }

    @Test func rankingVectorFollowsTitlesAndSourceRenames() async throws {
        try await Self.withTown { store in
            // The source's title is in the ranking vector (weight C): a match on it alone scores.
            let bySource = try await store.search(query: "ville", userID: nil, limit: 100, offset: 0, now: Self.now)
            #expect(bySource.total == 60)
            #expect(bySource.items.allSatisfy { $0.score > 0 })
            var renamed = Self.catalog
            renamed.sources[0].title = "Gazette"
            try await store.syncCatalog(renamed, now: Self.now)
            let gazette = try await store.search(query: "gazette", userID: nil, limit: 100, offset: 0, now: Self.now)
            #expect(gazette.total == 60)
            #expect(gazette.items.allSatisfy { $0.score > 0 })
        }
    }

    @Test func theMigrationRanksItemsStoredBeforeIt() async throws {
        try await PostgresCluster.withStore(try await PostgresCluster.freshDatabase(), migrate: false) { store in
            let before = Array(PostgresMigrations.all.prefix { $0.name != "v18-postgres-search-rank-vector" })
            try await store.migrate(before)
            try await store.syncCatalog(Self.catalog, now: Self.now)
            _ = try await store.ingest(sourceID: "mairie", items: Self.items(), fetchedAt: Self.now)
            #expect(try await store.migrate() == Array(PostgresStore.knownMigrations.drop { $0 != "v18-postgres-search-rank-vector" }))
            let results = try await store.search(query: "piscine", userID: nil, limit: 100, offset: 0, now: Self.now)
            #expect(results.total == 19)
            #expect(results.items.allSatisfy { $0.score > 0 })
        }
    }

    // MARK: Bucket steps (v19-postgres-search-buckets)

    /// The ids, in ranked order, the total and whether it is exact, of a search run with `steps`.
    static func search(_ store: PostgresStore, _ query: String, _ steps: PostgresSearchSteps) async throws -> [String] {
        try await PostgresSearchSteps.$current.withValue(steps) {
            let results = try await store.search(query: query, userID: nil, limit: 200, offset: 0, now: Self.now)
            return results.items.map { String($0.item.id) } + ["total \(results.total) \(results.totalIsExact)"]
        }
    }

    /// The next item will take id `id + 1`.
    static func setLastItemID(_ store: PostgresStore, _ id: Int64) async throws {
        try await store.withConnection("test") { connection in
            _ = try await connection.query("SELECT setval(pg_get_serial_sequence('items', 'id'), \(id))", logger: store.logger)
        }
    }

    /// Queries over words common, rare, excluded, in a phrase, as a prefix, with a channel.
    static let bucketQueries = ["piscine", "patinoire", "voirie", "avis", "piscine -avis", "avis -piscine", "pisc*",
                                "\"avis aux habitants\" piscine", "piscine canal:actu", "voirie canal:actu", "habitants canal:actu -voirie"]

    @Test func bucketStepSizesFollowTheDensity() {
        let steps = PostgresSearchSteps(window: 2_000, spans: [16_000])
        // 90,000 matches expected at 1M: 3,000 in the newest 33,333 ids, buckets 118-122 (122 holds 577 ids).
        #expect(steps.firstBuckets(estimate: 90_000, newest: 1_000_000) == 5)
        // Half the items match: 6,000 ids, the partly filled newest bucket and the one before.
        #expect(steps.firstBuckets(estimate: 500_000, newest: 1_000_000) == 2)
        #expect(steps.firstBuckets(estimate: 1_000_000, newest: 1_000_000) == 2)
        #expect(steps.firstBuckets(estimate: 1_000_000, newest: 1_007_000) == 1)
        // A rare word: every bucket; no estimate: every bucket.
        #expect(steps.firstBuckets(estimate: 100, newest: 1_000_000) == 123)
        #expect(steps.firstBuckets(estimate: 0, newest: 1_000) == 1)
        // 1,000 found in 4 buckets: 1,000 missing at 250 a bucket, x1.5: 6 buckets.
        #expect(steps.nextBuckets(previous: 4, seen: 4 * 8_192, found: 1_000) == 6)
        // 150 found in a newest bucket of 577 ids: 1,850 missing, x1.5, at that density: 2 buckets.
        #expect(steps.nextBuckets(previous: 1, seen: 577, found: 150) == 2)
        // Fewer found than expected: at most four times the previous step, at least one.
        #expect(steps.nextBuckets(previous: 2, seen: 2 * 8_192, found: 0) == 8)
        #expect(steps.nextBuckets(previous: 3, seen: 3 * 8_192, found: 1_999) == 1)
    }

    /// With buckets of 4 ids over 60 items (16 buckets), every query finds exactly what the id-range
    /// steps and one scan of every match find, in the same order, whatever the window.
    @Test func smallBucketsFindWhatIdRangesFind() async throws {
        try await Self.withTown { store in
            for query in Self.bucketQueries {
                for window in [1, 5, 12, 100] {
                    let scan = try await Self.search(store, query, PostgresSearchSteps(window: window, spans: [], buckets: false))
                    let ranges = try await Self.search(store, query, PostgresSearchSteps(window: window, spans: [4, 12], buckets: false))
                    #expect(ranges == scan, "\(query), window \(window)")
                    for walk in [nil, true, false] {
                        let buckets = PostgresSearchSteps(window: window, spans: [4, 12], walk: walk, buckets: true, bucketSize: 4)
                        #expect(try await Self.search(store, query, buckets) == scan, "\(query), window \(window), walk \(String(describing: walk))")
                    }
                }
            }
        }
    }

    /// With the index's own buckets (8,192 ids), items whose ids jump across bucket boundaries: the
    /// bucket steps read the index (EXPLAIN) and find what the id-range steps find.
    @Test func indexBucketsAcrossBoundariesFindWhatIdRangesFind() async throws {
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(Self.catalog, now: Self.now)
            let items = Self.items()
            // Ids 1-20 (bucket 0), 24,571-24,590 (buckets 2 and 3), 57,345-57,364 (bucket 7).
            _ = try await store.ingest(sourceID: "mairie", items: Array(items[0..<20]), fetchedAt: Self.now)
            try await Self.setLastItemID(store, 24_570)
            _ = try await store.ingest(sourceID: "mairie", items: Array(items[20..<40]), fetchedAt: Self.now)
            try await Self.setLastItemID(store, 57_344)
            _ = try await store.ingest(sourceID: "mairie", items: Array(items[40..<60]), fetchedAt: Self.now)
            let plan = try await store.withConnection("test") { connection in
                try await connection.query("""
                    SELECT set_config('enable_seqscan', 'off', false), set_config('enable_indexscan', 'off', false)
                    """, logger: store.logger)
                var lines: [String] = []
                for try await line in try await connection.query("""
                    EXPLAIN SELECT i.id FROM items i WHERE i.search_vector @@ to_tsquery('kiosque_french', 'piscine')
                      AND (i.id / 8192)::int4 = ANY('{7,3}'::int4[])
                    """, logger: store.logger).decode(String.self) { lines.append(line) }
                try await connection.query("RESET ALL", logger: store.logger)
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("items_search_buckets"), "\(plan)")
            for query in Self.bucketQueries {
                for window in [1, 5, 12, 100] {
                    let scan = try await Self.search(store, query, PostgresSearchSteps(window: window, spans: [], buckets: false))
                    for walk in [nil, true, false] {
                        let buckets = PostgresSearchSteps(window: window, spans: [4, 12], walk: walk)
                        #expect(try await Self.search(store, query, buckets) == scan, "\(query), window \(window), walk \(String(describing: walk))")
                    }
                }
            }
            // Without the bucketed index (btree_gin refused), the search finds the same by id ranges.
            try await store.withConnection("test") { connection in
                _ = try await connection.query("DROP INDEX items_search_buckets", logger: store.logger)
                _ = try await connection.query("CREATE INDEX items_search ON items USING gin (search_vector)", logger: store.logger)
            }
            for query in Self.bucketQueries {
                let scan = try await Self.search(store, query, PostgresSearchSteps(window: 5, spans: [], buckets: false))
                #expect(try await Self.search(store, query, PostgresSearchSteps(window: 5, spans: [4, 12])) == scan, "\(query)")
            }
        }
    }

    /// When btree_gin cannot be created (refused to the database's owner, or not installed; here a
    /// function of its install script already exists), v19 warns, keeps items_search, and the
    /// search finds the same by id ranges.
    @Test func withoutBtreeGinTheMigrationKeepsTheTextIndex() async throws {
        try await PostgresCluster.withStore(try await PostgresCluster.freshDatabase(), migrate: false) { store in
            try await store.migrate(Array(PostgresMigrations.all.prefix { $0.name != "v19-postgres-search-buckets" }))
            try await store.withConnection("test") { connection in
                _ = try await connection.query("""
                    CREATE FUNCTION gin_btree_consistent(internal, int2, anyelement, int4, internal, internal) RETURNS bool
                    LANGUAGE internal STRICT AS 'int4eq'
                    """, logger: store.logger)
            }
            #expect(try await store.migrate() == Array(PostgresStore.knownMigrations.drop { $0 != "v19-postgres-search-buckets" }))
            let indexes = try await store.withConnection("test") { connection in
                var names: [String] = []
                for try await name in try await connection.query("""
                    SELECT indexname FROM pg_indexes WHERE tablename = 'items' AND indexname LIKE 'items_search%' ORDER BY 1
                    """, logger: store.logger).decode(String.self) { names.append(name) }
                return names
            }
            #expect(indexes == ["items_search"])
            try await store.syncCatalog(Self.catalog, now: Self.now)
            _ = try await store.ingest(sourceID: "mairie", items: Self.items(), fetchedAt: Self.now)
            for query in Self.bucketQueries {
                let scan = try await Self.search(store, query, PostgresSearchSteps(window: 5, spans: [], buckets: false))
                #expect(try await Self.search(store, query, PostgresSearchSteps(window: 5, spans: [4, 12])) == scan, "\(query)")
            }
            #expect(try await store.search(query: "piscine", userID: nil, limit: 100, offset: 0, now: Self.now).total == 19)
        }
    }

    /// A `canal:` search names the channel's sources in the index scan: it finds the channel's items
    /// only (filters and all), and follows the channel when its sources change.
    @Test func channelSearchesFollowTheChannelsSources() async throws {
        var catalog = Catalog(
            sources: ["mairie", "ecoles", "sport"].map { SourceDefinition(id: $0, url: "http://127.0.0.1:9/\($0).xml", title: $0.capitalized) },
            channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie", "ecoles"]),
                       ChannelDefinition(id: "sport", title: "Sport", sources: ["sport"]),
                       ChannelDefinition(id: "cantines", title: "Cantines", sources: ["ecoles", "mairie"], include: ["cantine"])],
            bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu", "sport", "cantines"], isDefault: true)])
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(catalog, now: Self.now)
            for (offset, source) in ["mairie", "ecoles", "sport"].enumerated() {
                let items = (0..<30).map { n in
                    let title = n % 2 == 0 ? "Travaux de la cantine \(n)" : "Travaux rue \(n)"
                    return PreparedItem(item: ParsedItem(id: "\(source)-\(n)", title: title, link: "http://127.0.0.1:9/\(source)/\(n)",
                                                         published: Self.now.addingTimeInterval(Double(n * 3 + offset - 100) * 3_600),
                                                         summary: "Avis de travaux."), contentText: "Avis de travaux.")
                }
                _ = try await store.ingest(sourceID: source, items: items, fetchedAt: Self.now)
                try await Self.setLastItemID(store, Int64(8192 * (offset + 1) + 8180))
            }
            let queries = ["travaux canal:actu", "travaux canal:sport", "travaux canal:cantines", "rue canal:cantines",
                           "travaux canal:actu canal:sport", "travaux canal:inconnu", "travaux -cantine canal:actu"]
            func check(_ expected: [String: Int]) async throws {
                for query in queries {
                    for window in [3, 20, 200] {
                        let scan = try await Self.search(store, query, PostgresSearchSteps(window: window, spans: [], buckets: false))
                        let buckets = try await Self.search(store, query, PostgresSearchSteps(window: window, spans: [4, 12]))
                        #expect(buckets == scan, "\(query), window \(window)")
                        if window == 200, let count = expected[query] { #expect(scan.count - 1 == count, "\(query)") }
                    }
                }
            }
            try await check(["travaux canal:actu": 60, "travaux canal:sport": 30, "travaux canal:cantines": 30, "rue canal:cantines": 0,
                             "travaux canal:actu canal:sport": 90, "travaux canal:inconnu": 0, "travaux -cantine canal:actu": 30])
            // The schools move from "actu" to "sport": each channel's search follows.
            catalog.channels[0].sources = ["mairie"]
            catalog.channels[1].sources = ["sport", "ecoles"]
            try await store.syncCatalog(catalog, now: Self.now)
            try await check(["travaux canal:actu": 30, "travaux canal:sport": 60, "travaux canal:cantines": 30,
                             "travaux canal:actu canal:sport": 90, "travaux -cantine canal:actu": 15])
        }
    }

    /// A burst of searches queues behind the gate: never more than its limit at once, all answered.
    @Test func aBurstOfSearchesQueuesAndEveryOneIsAnswered() async throws {
        try await Self.withTown { store in
            let gate = store.searchGate
            let totals = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        let load = gate.load
                        #expect(load.running <= gate.limit)
                        return try await store.search(query: "piscine", userID: nil, limit: 5, offset: 0, now: Self.now).total
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(totals == Array(repeating: 19, count: 24))
            #expect(gate.load.running == 0 && gate.load.waiting == 0)
        }
    }

    @Test func theGateLetsALimitedNumberInAndTheNextInTurn() async throws {
        let gate = PostgresSearchGate(limit: 2)
        try await gate.enter()
        try await gate.enter()
        let third = Task { try await gate.enter() }
        while gate.load.waiting == 0 { await Task.yield() }
        #expect(gate.load.running == 2)
        gate.leave()
        try await third.value
        #expect(gate.load.running == 2 && gate.load.waiting == 0)
        // A cancelled waiter leaves the queue without taking a turn.
        let cancelled = Task { try await gate.enter() }
        while gate.load.waiting == 0 { await Task.yield() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(gate.load.running == 2 && gate.load.waiting == 0)
        gate.leave()
        gate.leave()
        #expect(gate.load.running == 0 && gate.load.waiting == 0)
        #expect(PostgresSearchGate.limit(poolSize: 20) == 4 && PostgresSearchGate.limit(poolSize: 1) == 1)
    }

    /// The queue's length follows the turns: quick searches (kept rankings) let many more wait,
    /// slow ones fewer, within bounds.
    @Test func theQueueFollowsHowLongTurnsTake() async throws {
        let gate = PostgresSearchGate(limit: 2)
        #expect(gate.maximumWaiting == 32)
        for _ in 0..<200 {
            try await gate.enter()
            gate.leave(turn: .milliseconds(5))
        }
        #expect(gate.maximumWaiting == 512, "2 turns at a time of ~5 ms within 2 s: 800, capped at 256 a turn")
        for _ in 0..<200 {
            try await gate.enter()
            gate.leave(turn: .milliseconds(400))
        }
        #expect((9...11).contains(gate.maximumWaiting), "2 turns of ~400 ms within 2 s")
        for _ in 0..<200 {
            try await gate.enter()
            gate.leave(turn: .seconds(10))
        }
        #expect(gate.maximumWaiting == 2, "never fewer than the turns running")
        #expect(gate.load.running == 0 && gate.load.waiting == 0)
        #expect(PostgresSearchGate(limit: 2, maximumWaiting: 3).maximumWaiting == 3)
    }

    /// Past `maximumWaiting` waiters a search is refused at once, and the store says it is busy.
    @Test func aFullQueueRefusesAtOnce() async throws {
        let gate = PostgresSearchGate(limit: 1, maximumWaiting: 2)
        try await gate.enter()
        let waiters = (0..<2).map { _ in Task { try await gate.enter() } }
        while gate.load.waiting < 2 { try await Task.sleep(for: .milliseconds(2)) }
        await #expect(throws: PostgresSearchGate.Full.self) { try await gate.enter() }
        #expect(gate.load.running == 1 && gate.load.waiting == 2)
        gate.leave()
        _ = try await waiters[0].value
        // A place in the queue is free again: the next one waits its turn instead of being refused.
        let next = Task { try await gate.enter() }
        while gate.load.waiting < 2 { try await Task.sleep(for: .milliseconds(2)) }
        gate.leave()
        _ = try await waiters[1].value
        gate.leave()
        _ = try await next.value
        gate.leave()
        #expect(gate.load.running == 0 && gate.load.waiting == 0)
        #expect(PostgresSearchGate(limit: 4).maximumWaiting == 64)
        #expect(StoreError.busy(operation: "searching").description.contains("try again"))
    }
}
