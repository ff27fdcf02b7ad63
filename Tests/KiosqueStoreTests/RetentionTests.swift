import Foundation
import Testing
@testable import KiosqueStore
import KiosqueStoreTesting

/// Retention never touches starred items; optimize and backup keep the data.
struct RetentionTests {
    @Test(arguments: StoreBackends.all) func olderThanDaysSparesStarredItems(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let items = (0..<10).map { Town.item("i\($0)", "Avis n°\($0)", published: Town.day(Double($0) * 10)) } // 0…90 days
        _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)
        let user = try await Town.user(db)
        try await db.subscribe(userID: user, channelID: "conseil")
        let all = try await db.channelPage(channelID: "conseil", userID: user, limit: 20).items
        let oldest = try #require(all.last)
        try await db.star(itemID: oldest.id, userID: user)
        try await db.markRead(itemID: all[8].id, userID: user)

        let deleted = try await db.applyRetention(days: 45, maxItemsPerSource: nil, now: Town.now)
        #expect(deleted == 4) // 50, 60, 70, 80 days; 90 is starred
        let left = try await db.channelPage(channelID: "conseil", userID: user, limit: 20).items
        #expect(left.map(\.title) == ["Avis n°0", "Avis n°1", "Avis n°2", "Avis n°3", "Avis n°4", "Avis n°9"])
        #expect(try await db.item(id: oldest.id, userID: user).summary.isStarred)
        // Counters follow: 6 listed, none of them read.
        let home = try await db.homePage(userID: user)
        #expect(home.channels[0].total == 6)
        #expect(home.channels[0].unread == 6)
        // The index forgot the deleted items.
        #expect(try await db.search(query: "avis", userID: user, now: Town.now).total == 6)
    }

    @Test(arguments: StoreBackends.all) func maxItemsPerSourceKeepsTheNewestAndStarred(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: (0..<8).map { Town.item("m\($0)", "Mairie \($0)", published: Town.day(Double($0))) },
                                fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "presse", items: (0..<3).map { Town.item("p\($0)", "Presse \($0)", published: Town.day(Double($0))) },
                                fetchedAt: Town.now)
        let user = try await Town.user(db)
        let mairie = try await db.channelPage(channelID: "conseil", userID: user, limit: 20).items
        try await db.star(itemID: mairie[7].id, userID: user)
        #expect(try await db.applyRetention(days: nil, maxItemsPerSource: 3, now: Town.now) == 4)
        let left = try await db.channelPage(channelID: "conseil", userID: user, limit: 20).items.map(\.title)
        #expect(left == ["Mairie 0", "Mairie 1", "Mairie 2", "Mairie 7"])
        #expect(try await db.counts()["items"] == 7)
    }

    @Test func optimizeAndBackupKeepEverything() async throws {
        let db = try await Town.store()
        // Enough items that the freed pages outweigh the schema's own pages as migrations add tables.
        _ = try await db.ingest(sourceID: "mairie", items: (0..<600).map { Town.item("o\($0)", "Objet \($0)", content: "Texte \($0)") },
                                fetchedAt: Town.now)
        _ = try await db.applyRetention(days: nil, maxItemsPerSource: 10, now: Town.now)
        let report = try await db.optimize(fullMerge: false)
        #expect(report.sizeBytes > 0)
        #expect(report.freedPages > 0) // 590 deleted items of 600: most pages were free
        try await db.optimize()
        #expect(try await db.search(query: "objet", userID: nil, now: Town.now).total == 10)
        let target = try Town.folder() + "/backup.sqlite"
        try await db.backup(to: target)
        await #expect(throws: StoreError.self) { try await db.backup(to: target) }
        let copy = try AppDatabase.open(path: target)
        #expect(try await copy.counts()["items"] == 10)
        #expect(try await copy.search(query: "objet", userID: nil, now: Town.now).total == 10)
    }
}
