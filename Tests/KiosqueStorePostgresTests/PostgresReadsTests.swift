import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Ma page, channel pages, marks and stars on PostgreSQL give what SQLite gives for the same data.
@Suite(.postgres)
struct PostgresReadsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func items(_ source: String, count: Int) -> [PreparedItem] {
        (0..<count).map { index in
            PreparedItem(item: ParsedItem(id: "\(source)-\(index)", title: "\(source) \(index)", link: "http://127.0.0.1:9/\(source)/\(index)",
                                          published: Date(timeIntervalSince1970: 1_790_000_000 + Double(index * 3_600 + source.count))),
                         contentText: "texte \(index)")
        }
    }

    @Test func readingPagesAndMarksMatchSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        _ = try await sqlite.createUser(NewUser(login: "alice"), at: Self.now)
        try await PostgresCluster.withFreshStore { postgres in
            try PostgresCluster.current().psql("INSERT INTO users (login, created_at) VALUES ('alice', 1800000000)",
                                               database: postgres.configuration.database)
            let catalog = PostgresCatalogTests.catalog
            for store in [sqlite as any CatalogStore & IngestStore, postgres as any CatalogStore & IngestStore] {
                try await store.syncCatalog(catalog, now: Self.now)
                _ = try await store.ingest(sourceID: "mairie", items: Self.items("mairie", count: 12), fetchedAt: Self.now)
                _ = try await store.ingest(sourceID: "presse", items: Self.items("presse", count: 9), fetchedAt: Self.now)
                _ = try await store.subscribeDefaults(userID: 1, groups: ["animation"], at: Self.now)
            }
            func same<T: Equatable>(_ what: String, _ a: T, _ b: T) { #expect(a == b, "\(what) differs") }
            same("home", try await sqlite.homePage(userID: 1, limit: 10, perChannel: 0, documentsFor: nil, documentLimit: 0),
                 try await postgres.homePage(userID: 1, limit: 10, perChannel: 0))
            same("grouped home", try await sqlite.homePage(userID: 1, limit: 12, perChannel: 3, documentsFor: nil, documentLimit: 0),
                 try await postgres.homePage(userID: 1, limit: 12, perChannel: 3))
            for store in [sqlite as any ReadsStoreMarks, postgres as any ReadsStoreMarks] {
                #expect(try await store.markRead(itemID: 3, userID: 1))
                #expect(try await !store.markRead(itemID: 3, userID: 1))
                #expect(try await store.star(itemID: 5, userID: 1, at: Self.now))
                #expect(try await store.star(itemID: 7, userID: 1, at: Self.now.addingTimeInterval(10)))
                #expect(try await store.unstar(itemID: 7, userID: 1))
                #expect(try await store.markAllRead(channelID: "actu", userID: 1, olderThan: Date(timeIntervalSince1970: 1_790_010_000)) == 5)
                #expect(try await store.markUnread(itemID: 3, userID: 1))
            }
            var cursor: PageCursor?
            repeat {
                let a = try await sqlite.channelPage(channelID: "actu", userID: 1, before: cursor, limit: 5, unreadOnly: false)
                let b = try await postgres.channelPage(channelID: "actu", userID: 1, before: cursor, limit: 5, unreadOnly: false)
                same("channel page", a, b)
                cursor = a.nextCursor
            } while cursor != nil
            same("unread channel page", try await sqlite.channelPage(channelID: "culture", userID: 1, before: nil, limit: 4, unreadOnly: true),
                 try await postgres.channelPage(channelID: "culture", userID: 1, before: nil, limit: 4, unreadOnly: true))
            same("unread", try await sqlite.unreadItems(userID: 1, before: nil, limit: 7),
                 try await postgres.unreadItems(userID: 1, before: nil, limit: 7))
            same("starred", try await sqlite.starredItems(userID: 1, before: nil, limit: 7),
                 try await postgres.starredItems(userID: 1, before: nil, limit: 7))
            same("item", try await sqlite.item(id: 14, userID: 1, channelID: "culture"),
                 try await postgres.item(id: 14, userID: 1, channelID: "culture"))
            same("home after marks", try await sqlite.homePage(userID: 1, limit: 10, perChannel: 2, documentsFor: nil, documentLimit: 0),
                 try await postgres.homePage(userID: 1, limit: 10, perChannel: 2))
            do {
                _ = try await postgres.markRead(itemID: 999, userID: 1)
                Issue.record("marked an unknown item")
            } catch {
                #expect((error as? StoreError) == .notFound(what: "item", id: "999"))
            }
        }
    }
}

/// The marks both stores offer (PostgreSQL does not declare `ReadsStore` yet).
protocol ReadsStoreMarks: Sendable {
    func markRead(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    func markUnread(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    func star(itemID: Int64, userID: Int64, at date: Date) async throws(StoreError) -> Bool
    func unstar(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    func markAllRead(channelID: String?, userID: Int64, olderThan: Date?) async throws(StoreError) -> Int
}

extension AppDatabase: ReadsStoreMarks {}
extension PostgresStore: ReadsStoreMarks {}
