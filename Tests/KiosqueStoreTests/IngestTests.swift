import Foundation
import GRDB
import KiosqueModel
import Testing
@testable import KiosqueStore
import KiosqueStoreContract
import KiosqueStoreTesting

/// Upsert, update and duplicate rules, channel filters and catalogue synchronisation.
struct IngestTests {
    func channelItems(_ db: AppDatabase, _ channel: String) async throws -> [String] {
        try await db.read("test") { db in
            try String.fetchAll(db, sql: """
                SELECT i.guid FROM channel_items ci JOIN items i ON i.id = ci.item_id JOIN channels c ON c.id = ci.channel_id
                WHERE c.key = ? ORDER BY i.guid
                """, arguments: [channel])
        }
    }

    @Test func newUnchangedUpdated() async throws {
        let db = try await Town.store()
        let first = [Town.item("a", "Budget 2025"), Town.item("b", "Travaux rue Victor-Hugo")]
        #expect(try await db.ingest(sourceID: "mairie", items: first, fetchedAt: Town.now) == IngestResult(new: 2))
        #expect(try await db.ingest(sourceID: "mairie", items: first, fetchedAt: Town.now) == IngestResult(unchanged: 2))
        var changed = first
        changed[1].item.title = "Travaux rue Victor-Hugo : report"
        let third = try await db.ingest(sourceID: "mairie", items: changed, fetchedAt: Town.now.addingTimeInterval(60))
        #expect(third == IngestResult(updated: 1, unchanged: 1))
        let rows = try await db.read("test") { db in
            try Row.fetchAll(db, sql: "SELECT guid, title, is_updated FROM items ORDER BY guid")
                .map { ($0["guid"] as String, $0["title"] as String, $0["is_updated"] as Bool) }
        }
        #expect(rows.count == 2)
        #expect(rows[1] == ("b", "Travaux rue Victor-Hugo : report", true))
        #expect(rows[0].2 == false)
        // The update reached the index: the new word is found, and only once.
        let found = try await db.search(query: "report", userID: nil, now: Town.now)
        #expect(found.total == 1)
    }

    @Test(arguments: StoreBackends.all) func sameGuidTwiceInOneFeedIsStoredOnce(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let result = try await db.ingest(sourceID: "mairie", items: [Town.item("x", "Un"), Town.item("x", "Deux")], fetchedAt: Town.now)
        #expect(result == IngestResult(new: 1))
    }

    /// A feed longer than one of PostgreSQL's multi-row statements (250 items), with a repeated guid,
    /// a filtered channel and an agent's reads: the same items, mappings and unread figures on both
    /// backends, through a first ingest, a partial update and an unchanged refetch.
    @Test(arguments: StoreBackends.all) func longFeedKeepsCountsAndUnreadFigures(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        func feed(_ range: Range<Int>, edited: Range<Int> = 0..<0) -> [PreparedItem] {
            range.map { i in
                let subject = i % 3 == 0 ? "Théâtre : saison \(i)" : "Voirie : chantier \(i)"
                return Town.item("p\(i)", edited.contains(i) ? subject + " (modifié)" : subject, link: "https://presse.example/\(i)",
                                 published: Town.now.addingTimeInterval(Double(i - 1_000) * 60))
            }
        }
        let first = try await db.ingest(sourceID: "presse", items: feed(0..<700) + [Town.item("p5", "Doublon")], fetchedAt: Town.now)
        #expect(first == IngestResult(new: 700))
        let agent = try await Town.user(db)
        try await db.subscribe(userID: agent, channelID: "culture")
        try await db.subscribe(userID: agent, channelID: "presse")
        func unread() async throws -> [String: Int] {
            let home = try await db.homePage(userID: agent, limit: 5)
            return Dictionary(uniqueKeysWithValues: home.channels.map { ($0.channel.id, $0.unread) })
        }
        func totals() async throws -> [String: Int] {
            let home = try await db.homePage(userID: agent, limit: 5)
            return Dictionary(uniqueKeysWithValues: home.channels.map { ($0.channel.id, $0.total) })
        }
        #expect(try await unread() == ["culture": 234, "presse": 700])
        #expect(try await db.markAllRead(channelID: "culture", userID: agent) == 234)
        #expect(try await unread() == ["culture": 0, "presse": 466])

        let later = Town.now.addingTimeInterval(600)
        let second = try await db.ingest(sourceID: "presse", items: feed(0..<800, edited: 0..<300), fetchedAt: later)
        #expect(second == IngestResult(new: 100, updated: 300, unchanged: 400))
        // The 33 new items of "culture" among p700…p799 are unread; the edited ones keep their read marks.
        #expect(try await unread() == ["culture": 33, "presse": 566])
        #expect(try await totals() == ["culture": 267, "presse": 800])
        #expect(try await db.ingest(sourceID: "presse", items: feed(0..<800, edited: 0..<300), fetchedAt: later) == IngestResult(unchanged: 800))
        #expect(try await db.counts()["items"] == 800)
    }

    @Test(arguments: StoreBackends.all) func sameGuidInTwoSourcesIsTwoItems(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("x", "Un", link: "https://a.fr/1")], fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "presse", items: [Town.item("x", "Un théâtre", link: "https://b.fr/1")], fetchedAt: Town.now)
        #expect(try await db.counts()["items"] == 2)
    }

    @Test func sameArticleThroughTwoSourcesShowsOncePerChannel() async throws {
        let db = try await Town.store()
        let link = "https://www.ville.example/actu/budget/?utm_source=rss#top"
        let other = "http://ville.example/actu/budget"
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("m1", "Budget voté", link: link)], fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "metropole", items: [Town.item("p9", "Budget voté", link: other)], fetchedAt: Town.now)
        #expect(try await db.counts()["items"] == 2)
        #expect(try await channelItems(db, "conseil") == ["m1"])
        let user = try await Town.user(db)
        try await db.subscribe(userID: user, channelID: "conseil")
        let home = try await db.homePage(userID: user, limit: 10)
        #expect(home.items.map(\.sourceID) == ["mairie"])
        #expect(home.channels.first?.unread == 1)
    }

    @Test(arguments: [
        ("Réouverture du Théâtre", true), ("le THEATRE municipal rouvre", true), ("Nouvelle exposition au musée", true),
        ("Expos d'été", true), ("Musée : publicité mensongère", false), ("Conseil de quartier", false),
        ("théâtreux", false),
    ])
    func channelFilters(_ pair: (String, Bool)) async throws {
        let db = try await Town.store()
        _ = try await db.ingest(sourceID: "presse", items: [Town.item("p", pair.0)], fetchedAt: Town.now)
        #expect(try await channelItems(db, "culture") == (pair.1 ? ["p"] : []))
        #expect(try await channelItems(db, "presse") == ["p"])
    }

    @Test func changingChannelsRemapsWithoutRefetch() async throws {
        let db = try await Town.store()
        _ = try await db.ingest(sourceID: "presse", items: [Town.item("1", "Concert au parc"), Town.item("2", "Théâtre")],
                                fetchedAt: Town.now)
        #expect(try await channelItems(db, "culture") == ["2"])
        var catalog = Town.catalog
        catalog.channels[1].include = ["concert"]
        catalog.channels[0].sources = ["mairie", "metropole", "presse"]
        let report = try await db.syncCatalog(catalog, now: Town.now)
        #expect(Set(report.remappedChannels) == ["culture", "conseil"])
        #expect(try await channelItems(db, "culture") == ["1"])
        #expect(try await channelItems(db, "conseil") == ["1", "2"])
        // Re-syncing the same file changes nothing.
        #expect(try await db.syncCatalog(catalog, now: Town.now).remappedChannels.isEmpty)
    }

    @Test func removedSourceIsRetiredWithItsHistory() async throws {
        let db = try await Town.store()
        _ = try await db.ingest(sourceID: "metropole", items: [Town.item("1", "Tram")], fetchedAt: Town.now)
        var catalog = Town.catalog
        catalog.sources.removeAll { $0.id == "metropole" }
        catalog.channels[0].sources = ["mairie"]
        let report = try await db.syncCatalog(catalog, now: Town.now)
        #expect(report.retiredSources == ["metropole"])
        #expect(try await db.counts()["items"] == 1)
        #expect(try await channelItems(db, "conseil") == [])
        // Declared again: the history comes back into the channel.
        try await db.syncCatalog(Town.catalog, now: Town.now)
        #expect(try await channelItems(db, "conseil") == ["1"])
    }

    @Test(arguments: StoreBackends.all) func unknownSourceIsNotFound(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        await #expect(throws: StoreError.notFound(what: "source", id: "nope")) {
            try await db.ingest(sourceID: "nope", items: [], fetchedAt: Town.now)
        }
    }

    @Test(arguments: StoreBackends.all) func futureDatesAreClampedToFetchTime(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let future = Town.now.addingTimeInterval(86_400 * 365)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("f", "Demain", published: future)], fetchedAt: Town.now)
        let user = try await Town.user(db)
        let page = try await db.channelPage(channelID: "conseil", userID: user)
        #expect(page.items.first?.sortDate == Town.now)
        #expect(page.items.first?.published == future)
    }

    @Test(arguments: [
        ("https://www.Ville.example/a/?utm_medium=x&id=3#frag", "ville.example/a?id=3"),
        ("http://ville.example/a?id=3", "ville.example/a?id=3"),
        ("ftp://ville.example/a", "ftp://ville.example/a"),
    ])
    func canonicalLinks(_ pair: (String, String)) {
        #expect(ItemIdentity.canonicalLink(pair.0) == pair.1)
    }

    /// Stored items carry these hashes (guid, link, content): the function must never change, or
    /// every stored item would look new or changed at the next fetch.
    @Test func itemHashesAreTheStoredOnes() {
        #expect(ItemIdentity.hash("a") == 620_345_593_008_815_561)
        #expect(ItemIdentity.hash(nil) == 764_812_624_834_142_298)
        #expect(ItemIdentity.hash("ab", "c") == 770_426_902_215_066_785)
        #expect(ItemIdentity.hash("a", "bc") == -3_805_060_957_572_819_029)
        #expect(ItemIdentity.hash("Élu d’Angers", nil, "x") == 2_972_170_235_031_596_750)
    }
}
