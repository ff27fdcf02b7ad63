import Foundation
import Testing
@testable import KiosqueStore
import KiosqueStoreTesting

/// Full-text search through the real FTS5 index and the French tokenizer.
struct SearchTests {
    /// A store with a handful of council and press items.
    static func store(_ backend: StoreBackend) async throws -> any PortalStore {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: [
            Town.item("d1", "Délibération sur le budget primitif", summary: "Le conseil a voté le budget.",
                      content: "Les élus ont adopté la délibération n° 2025-14 relative au budget primitif.", published: Town.day(1)),
            Town.item("d2", "Compte rendu du conseil municipal", content: "Liste des délibérations adoptées en séance.",
                      published: Town.day(40)),
            Town.item("e1", "Résultats des élections", content: "Un nouvel élu rejoint le conseil.", published: Town.day(3),
                      author: "Service communication"),
        ], fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "presse", items: [
            Town.item("p1", "Le théâtre rouvre ses portes", content: "Après deux ans de travaux, le théâtre municipal rouvre.",
                      published: Town.day(2)),
            Town.item("p2", "Budget : l'opposition critique", content: "Les élus de l'opposition dénoncent une publicité coûteuse.",
                      published: Town.day(5)),
        ], fetchedAt: Town.now)
        return db
    }

    func ids(_ results: SearchResults) -> Set<String> {
        Set(results.items.map { $0.item.link!.replacingOccurrences(of: "https://example.org/", with: "") })
    }

    @Test(arguments: StoreBackends.all, [
        ("délibérations", ["d1", "d2"]), ("deliberation", ["d1", "d2"]), ("DÉLIBÉRATION", ["d1", "d2"]),
        ("élus", ["d1", "e1", "p2"]), ("elu", ["d1", "e1", "p2"]), ("budget élus", ["d1", "p2"]),
        ("\"théâtre municipal\"", ["p1"]), ("\"municipal théâtre\"", []), ("budget -opposition", ["d1"]),
        ("budget source:presse", ["p2"]), ("conseil canal:conseil", ["d1", "d2", "e1"]), ("théâtre canal:culture", ["p1"]),
        ("budget depuis:2025-06-12", ["d1"]), ("conseil avant:2025-06-01", ["d2"]), ("communication", ["e1"]),
        ("presse locale théâtre", ["p1"]), ("opposit*", ["p2"]), ("l'opposition", ["p2"]),
        ("budget service:finances", []), ("budget type:deliberation", []), ("canal:culture", ["p1"]),
    ])
    func finds(_ backend: StoreBackend, _ pair: (String, [String])) async throws {
        let db = try await Self.store(backend)
        let results = try await db.search(query: pair.0, userID: nil, now: Town.now)
        #expect(ids(results) == Set(pair.1))
        #expect(results.total == pair.1.count)
    }

    @Test(arguments: StoreBackends.all) func invalidSyntaxIsAHelpfulErrorNotAnSQLiteOne(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        await #expect(throws: StoreError.invalidSearch(.unterminatedQuote(position: 7))) {
            try await db.search(query: "budget \"primitif", userID: nil)
        }
        // FTS5 operators and stray syntax are searched as words, never parsed by SQLite.
        for text in ["NEAR(budget", "budget OR", "* budget", "budget AND NOT", "\"\"", "col:budget", "^budget", "budget)", "-", "\u{E000}"] {
            do {
                _ = try await db.search(query: text, userID: nil, now: Town.now)
            } catch {
                if case .invalidSearch = error {} else { Issue.record("\(text): \(error)") }
            }
        }
    }

    @Test(arguments: StoreBackends.all) func cachedRankingsNeverHideNewItems(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        #expect(try await db.search(query: "piscine", userID: nil, now: Town.now).total == 0)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("n", "La piscine rouvre")], fetchedAt: Town.now)
        #expect(try await db.search(query: "piscine", userID: nil, now: Town.now).total == 1)
        _ = try await db.applyRetention(days: 1, maxItemsPerSource: nil, now: Town.now.addingTimeInterval(86_400 * 3))
        #expect(try await db.search(query: "piscine", userID: nil, now: Town.now).total == 0)
    }

    @Test(arguments: StoreBackends.all) func oddTextIsIndexedSafely(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let odd = "\u{0301}\u{0345} é\u{0301}té ｆｕｌｌｗｉｄｔｈ 東京 \u{FFFD}\u{0} l' d’ qu'« » \(String(repeating: "x", count: 500))"
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("odd", odd, content: odd)], fetchedAt: Town.now)
        #expect(try await db.search(query: "東京", userID: nil, now: Town.now).total == 1)
        #expect(try await db.search(query: "fullwidth", userID: nil, now: Town.now).total == 1)
    }

    @Test func contentIsIndexedUpToTheCap() async throws {
        let db = try await Town.store()
        let long = "Piscine " + String(repeating: "séance ", count: Migrations.indexedContentCharacters / 7) + "zygomatique"
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("long", "Article", content: long)], fetchedAt: Town.now)
        #expect(try await db.search(query: "piscine", userID: nil, now: Town.now).total == 1)
        #expect(try await db.search(query: "zygomatique", userID: nil, now: Town.now).total == 0)
        // Updates and deletions take out exactly what was indexed: once every item is gone, no
        // word is left in the index (a removal with other values than indexed leaves words behind).
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("long", "Article", content: long + " bis")], fetchedAt: Town.now)
        _ = try await db.applyRetention(days: 1, maxItemsPerSource: nil, now: Town.now.addingTimeInterval(86_400 * 3))
        #expect(try await Self.indexedWords(db) == 0)
    }

    /// How many distinct words the item index holds (FTS5's own integrity check passes too).
    static func indexedWords(_ db: AppDatabase) async throws -> Int {
        try await db.write("checking the index", changes: .bookkeeping) { db in
            try db.execute(sql: "INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
            try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.items_fts_words USING fts5vocab(main, items_fts, 'row')")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.items_fts_words") ?? -1
        }
    }

    @Test(arguments: StoreBackends.all) func snippetsAreSegmentsWithHighlights(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        let results = try await db.search(query: "délibération adoptée", userID: nil, now: Town.now)
        let hit = try #require(results.items.first)
        let highlighted = hit.snippet.filter(\.highlighted).map { $0.text.lowercased() }
        // The best hit may hold the singular or the plural (the backends' relevance differs a little).
        #expect(highlighted.contains { $0.hasPrefix("délibération") })
        #expect(highlighted.contains { $0.hasPrefix("adopt") })
        #expect(!hit.snippet.contains { $0.text.contains("\u{E000}") || $0.text.contains("<") })
    }

    @Test(arguments: StoreBackends.all) func commandLineJSONShape(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        let data = try await db.search(query: "théâtre", userID: nil, now: Town.now).jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["total"] as? Int == 1)
        let item = try #require((object["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["id", "title", "link", "channel", "source", "published", "snippet"])
        #expect(item["source"] as? String == "presse")
        #expect((item["snippet"] as? String)?.contains("théâtre") == true)
        #expect((item["published"] as? String)?.hasPrefix("2025-06-13") == true)
    }

    @Test(arguments: StoreBackends.all) func recentItemsRankFirstAmongEquals(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: [
            Town.item("old", "Piscine fermée", published: Town.day(300)),
            Town.item("new", "Piscine fermée", published: Town.day(1)),
        ], fetchedAt: Town.now)
        let results = try await db.search(query: "piscine", userID: nil, now: Town.now)
        #expect(results.items.map { $0.item.link } == ["https://example.org/new", "https://example.org/old"])
    }

    @Test(arguments: StoreBackends.all) func facetsCountChannelsAndMonths(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        let results = try await db.search(query: "budget", userID: nil, now: Town.now)
        let channels = Dictionary(uniqueKeysWithValues: results.channelFacets.map { ($0.key, $0.count) })
        #expect(channels == ["conseil": 1, "presse": 1])
        #expect(results.monthFacets.map(\.key) == ["2025-06"])
        #expect(results.monthFacets.first?.count == 2)
    }

    @Test(arguments: StoreBackends.all) func monthFacetsFollowParisTimeAcrossAYear(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let stamps: [(String, TimeInterval)] = [
            ("a", 1_733_000_000),  // 2024-11-30 21:53 UTC = 22:53 Paris
            ("b", 1_735_684_200),  // 2024-12-31 22:30 UTC = 23:30 Paris → December
            ("c", 1_735_691_400),  // 2025-01-01 00:30 UTC = 01:30 Paris → January
            ("d", 1_738_400_000),  // 2025-02-01 09:53 UTC
        ]
        _ = try await db.ingest(sourceID: "mairie", items: stamps.map {
            Town.item($0.0, "Voeux du maire", published: Date(timeIntervalSince1970: $0.1))
        }, fetchedAt: Town.now)
        let results = try await db.search(query: "voeux", userID: nil, now: Town.now)
        #expect(results.monthFacets.map(\.key) == ["2025-02", "2025-01", "2024-12", "2024-11"])
        #expect(results.monthFacets.map(\.count) == [1, 1, 1, 1])
    }

    @Test(arguments: StoreBackends.all) func sameArticleFromTwoSourcesIsOneResult(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("a", "Fibre optique", link: "https://x.fr/fibre")], fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "metropole", items: [Town.item("b", "Fibre optique", link: "https://x.fr/fibre/")], fetchedAt: Town.now)
        let results = try await db.search(query: "fibre", userID: nil, now: Town.now)
        #expect(results.items.count == 1)
        #expect(results.total == 1)
    }

    @Test(arguments: StoreBackends.all) func pagingWithOffset(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let items = (0..<25).map { Town.item("n\($0)", "Stationnement numéro \($0)", published: Town.day(Double($0))) }
        _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)
        let first = try await db.search(query: "stationnement", userID: nil, limit: 10, offset: 0, now: Town.now)
        let third = try await db.search(query: "stationnement", userID: nil, limit: 10, offset: 20, now: Town.now)
        #expect(first.total == 25)
        #expect(first.totalIsExact)
        #expect(first.pageable == 25)
        #expect(first.items.count == 10)
        #expect(third.items.count == 5)
        #expect(Set(first.items.map(\.item.id)).isDisjoint(with: third.items.map(\.item.id)))
    }

    @Test(arguments: StoreBackends.all) func renamedSourceIsReindexed(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        var catalog = Town.catalog
        catalog.sources[2].title = "Gazette du canton"
        try await db.syncCatalog(catalog, now: Town.now)
        #expect(try await db.search(query: "gazette théâtre", userID: nil, now: Town.now).total == 1)
        #expect(try await db.search(query: "presse locale", userID: nil, now: Town.now).total == 0)
    }

    /// An article in two channels is shown in the one the agent follows; an agent who follows
    /// neither sees it in the first of them in the catalogue.
    @Test(arguments: StoreBackends.all) func hitIsShownInAChannelTheAgentFollows(_ backend: StoreBackend) async throws {
        let db = try await Self.store(backend)
        let pressReader = try await Town.user(db, "lecteur")
        let cultureFan = try await Town.user(db, "culture")
        let nobody = try await Town.user(db, "personne")
        try await db.subscribe(userID: pressReader, channelID: "presse")
        try await db.subscribe(userID: cultureFan, channelID: "culture")
        for (user, channel) in [(pressReader, "presse"), (cultureFan, "culture"), (nobody, "culture")] {
            let results = try await db.search(query: "théâtre", userID: user, now: Town.now)
            #expect(results.items.map(\.item.channel?.id) == [channel], "agent \(user)")
        }
    }
}
