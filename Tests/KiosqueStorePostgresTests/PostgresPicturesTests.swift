import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Item pictures and the agent's text-only choice on PostgreSQL, as on SQLite.
@Suite(.postgres)
struct PostgresPicturesTests {
    @Test func picturesAndPreferenceMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let items = (0..<4).map { index in
            PreparedItem(item: ParsedItem(id: "p\(index)", title: "Photo \(index)",
                                          contentHTML: index == 2 ? "<p>sans image</p>" : "<p><img src=\"http://127.0.0.1:9/\(index).jpg\" alt=\"Vue \(index)\"></p>"),
                         contentText: "")
        }
        let sqlite = try AppDatabase.temporary()
        _ = try await sqlite.createUser(NewUser(login: "alice"), at: now)
        try await PostgresCluster.withFreshStore { postgres in
            try PostgresCluster.current().psql("INSERT INTO users (login, created_at) VALUES ('alice', 1800000000)",
                                               database: postgres.configuration.database)
            for store in [sqlite as any MediaStore & CatalogStore & IngestStore, postgres as any MediaStore & CatalogStore & IngestStore] {
                try await store.syncCatalog(FetchLeaseTests.catalog(sources: 1), now: now)
                _ = try await store.ingest(sourceID: "s0", items: items, fetchedAt: now)
                #expect(try await !store.hidesPictures(userID: 1))
                try await store.setHidePictures(userID: 1, hide: true)
                #expect(try await store.hidesPictures(userID: 1))
            }
            let urls = try await postgres.recentPictureURLs(limit: 2)
            #expect(urls == (try await sqlite.recentPictureURLs(limit: 2)))
            #expect(urls.count == 2)
            let page = try await postgres.channelPage(channelID: "all", userID: 1, before: nil, limit: 10, unreadOnly: false)
            #expect(page.items.compactMap(\.picture).map(\.alt).sorted() == ["Vue 0", "Vue 1", "Vue 3"])
        }
    }
}
