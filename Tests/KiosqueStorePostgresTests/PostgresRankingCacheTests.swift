import Foundation
import KiosqueModel
import KiosqueStoreContract
@testable import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Search rankings kept by an instance: reused for the next page and by other agents, dropped by
/// any change of what they rank — on this instance or another — with each agent's targeted
/// announcements merged in; a page's reads at once never starve a small pool.
@Suite(.postgres)
struct PostgresRankingCacheTests {
    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/mairie.xml", title: "Ville")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie"])],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu"], isDefault: true)])
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func items(_ range: Range<Int>) -> [PreparedItem] {
        range.map { index in
            let text = "Le stationnement rue \(index) change au mois de décembre."
            let item = ParsedItem(id: "item-\(index)", title: "Stationnement \(index)", link: "http://127.0.0.1:9/articles/\(index)",
                                  published: now.addingTimeInterval(Double(index)), summary: text, contentHTML: "<p>\(text)</p>")
            return PreparedItem(item: item, contentText: text)
        }
    }

    @Test func theKeptRankingServesTheNextPageAndDropsWhenAnotherInstanceStoresItems() async throws {
        let configuration = try await PostgresCluster.freshDatabase()
        let server = try PostgresCluster.current()
        try await PostgresCluster.withStore(configuration) { first in
            try await first.syncCatalog(Self.catalog, now: Self.now)
            _ = try await first.ingest(sourceID: "mairie", items: Self.items(0..<25), fetchedAt: Self.now)
            try await PostgresCluster.withStore(configuration, migrate: false) { second in
                try await PostgresChangeNotificationTests.waitForListeners(2, server: server, database: configuration.database)
                let firstPage = try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 0, now: Self.now)
                #expect(firstPage.total == 25)
                #expect(firstPage.channelFacets.map(\.count) == [25])

                // Rows changed behind the store's back (no notification): the next page still comes
                // from the kept ranking, facets included, and the page's items are read afresh.
                try await blockingWork {
                    _ = try server.psql("DELETE FROM channel_items WHERE item_id IN (SELECT id FROM items WHERE guid = 'item-3')",
                                        database: configuration.database)
                }
                let nextPage = try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 10, now: Self.now)
                #expect(nextPage.total == 25)
                #expect(nextPage.channelFacets.map(\.count) == [25], "facets kept with the ranking")
                #expect(Set(firstPage.items.map(\.item.id)).isDisjoint(with: nextPage.items.map(\.item.id)))
                // The snippets cut for a page are kept with the ranking: the first page again shows them
                // as cut, though the newest item's text changed behind the store's back.
                try await blockingWork {
                    _ = try server.psql("UPDATE items SET content_text = 'Un tout autre stationnement.' WHERE guid = 'item-24'",
                                        database: configuration.database)
                }
                let again = try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 0, now: Self.now)
                #expect(again.items.map(\.snippet) == firstPage.items.map(\.snippet))
                #expect(firstPage.items.first?.snippet.map(\.text).joined().contains("rue 24") == true)

                // Another instance stores new items: its notification drops the kept ranking.
                _ = try await first.ingest(sourceID: "mairie", items: Self.items(25..<30), fetchedAt: Self.now)
                try await PostgresChangeNotificationTests.eventually {
                    try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 0, now: Self.now).total == 30
                }
                let afresh = try await second.search(query: "stationnement", userID: nil, limit: 30, offset: 0, now: Self.now)
                #expect(afresh.items.first { $0.item.title == "Stationnement 24" }?.snippet.map(\.text).joined().contains("tout autre") == true,
                        "snippets are cut again for a new ranking")
                // Past the lifetime, a ranking is made again (freshness weighs in it).
                try await blockingWork {
                    _ = try server.psql("DELETE FROM items WHERE guid = 'item-29'", database: configuration.database)
                }
                let kept = try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 0, now: Self.now)
                #expect(kept.total == 30)
                let later = try await second.search(query: "stationnement", userID: nil, limit: 10, offset: 0,
                                                    now: Self.now.addingTimeInterval(second.rankings.lifetime + 1))
                #expect(later.total == 29)
            }
        }
    }

    /// Only searches that rank wait for a turn: with the queue full, a kept ranking still answers.
    @Test func aKeptRankingAnswersWhileTheQueueIsFull() async throws {
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { store in
            try await store.syncCatalog(Self.catalog, now: Self.now)
            _ = try await store.ingest(sourceID: "mairie", items: Self.items(0..<5), fetchedAt: Self.now)
            _ = try await store.search(query: "stationnement", userID: nil, limit: 20, offset: 0, now: Self.now)
            let gate = store.searchGate
            for _ in 0..<gate.limit { try await gate.enter() }
            let full = gate.maximumWaiting
            let waiters = (0..<full).map { _ in Task { try await gate.enter() } }
            while gate.load.waiting < full { try await Task.sleep(for: .milliseconds(5)) }
            let kept = try await store.search(query: "stationnement", userID: nil, limit: 20, offset: 0, now: Self.now)
            #expect(kept.items.count == 5)
            await #expect(throws: StoreError.busy(operation: "searching")) {
                try await store.search(query: "décembre", userID: nil, limit: 20, offset: 0, now: Self.now)
            }
            for waiter in waiters { waiter.cancel() }
            for waiter in waiters { _ = try? await waiter.value }
            for _ in 0..<gate.limit { gate.leave() }
            #expect(gate.load.running == 0 && gate.load.waiting == 0)
        }
    }

    /// A pool of one connection: the page's reads run one after the other instead of at once.
    @Test func aSearchCompletesWithAPoolOfOne() async throws {
        let configuration = try await PostgresCluster.freshDatabase(poolSize: 1)
        try await PostgresCluster.withStore(configuration) { store in
            try await store.syncCatalog(Self.catalog, now: Self.now)
            _ = try await store.ingest(sourceID: "mairie", items: Self.items(0..<5), fetchedAt: Self.now)
            let results = try await withThrowingTaskGroup(of: SearchResults.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await store.search(query: "stationnement", userID: nil, limit: 20, offset: 0, now: Self.now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.items.count) == [5, 5, 5])
            #expect(results.allSatisfy { $0.items.allSatisfy { $0.snippet.contains(where: \.highlighted) && $0.item.channel?.id == "actu" } })
        }
    }

    @Test func aRankingIsKeptPerQueryAndStamp() {
        let cache = PostgresRankingCache(capacity: 2, lifetime: 60)
        let (budget, voirie, piscine) = (try! SearchQuery.parse("budget"), try! SearchQuery.parse("voirie"), try! SearchQuery.parse("piscine"))
        let stamp = ChangeStamp(shared: 1, agent: 0)
        let ranking = RankedSearch(window: [SearchHitKey(id: 1, sortAt: 0, linkHash: nil, score: 1)], total: 1, totalIsExact: true)
        cache.store(ranking, for: budget, stamp: stamp, now: Self.now)
        #expect(cache.ranking(for: budget, stamp: stamp, now: Self.now)?.hits.map(\.id) == [1])
        #expect(cache.ranking(for: voirie, stamp: stamp, now: Self.now) == nil, "another query")
        #expect(cache.ranking(for: budget, stamp: ChangeStamp(shared: 2, agent: 0), now: Self.now) == nil, "a shared change")
        #expect(cache.ranking(for: budget, stamp: stamp, now: Self.now.addingTimeInterval(61)) == nil, "too old")
        cache.store(ranking, for: voirie, stamp: stamp, now: Self.now)
        cache.store(ranking, for: piscine, stamp: stamp, now: Self.now)
        #expect(cache.ranking(for: budget, stamp: stamp, now: Self.now) == nil, "past capacity, all dropped")
        #expect(cache.ranking(for: piscine, stamp: stamp, now: Self.now) != nil)
        // Snippets are kept with their ranking, up to a bound.
        let segment = [SnippetSegment(text: "piscine", highlighted: true)]
        let limit = PostgresRankingCache.snippetsPerRanking
        cache.keep(snippets: Dictionary(uniqueKeysWithValues: (0..<Int64(limit)).map { ($0, segment) }), for: piscine, stamp: stamp)
        cache.keep(snippets: [Int64(limit): segment], for: piscine, stamp: stamp)
        #expect(cache.snippets(for: piscine, ids: [0, Int64(limit - 1), Int64(limit)], stamp: stamp)?.keys.sorted() == [0, Int64(limit - 1)])
        #expect(cache.snippets(for: piscine, ids: [0], stamp: ChangeStamp(shared: 2, agent: 0)) == nil)
        cache.removeAll()
        #expect(cache.ranking(for: piscine, stamp: stamp, now: Self.now) == nil)
    }
}
