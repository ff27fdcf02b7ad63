import Foundation
import Testing
@testable import KiosqueStore
import KiosqueStoreTesting

/// Per-agent reads: home page, channel pages, marks, stars, catalogue and subscriptions.
struct ReadsTests {
    /// 12 council items one hour apart (c0 newest), 3 press items.
    static func store(_ backend: StoreBackend) async throws -> (any PortalStore, Int64) {
        let db = try await Town.store(backend)
        let council = (0..<12).map { Town.item("c\($0)", "Conseil \($0)", published: Town.now.addingTimeInterval(-3_600 * Double($0))) }
        _ = try await db.ingest(sourceID: "mairie", items: council, fetchedAt: Town.now)
        _ = try await db.ingest(sourceID: "presse", items: (0..<3).map {
            Town.item("p\($0)", "Théâtre \($0)", published: Town.now.addingTimeInterval(-1_800 - 3_600 * Double($0)))
        }, fetchedAt: Town.now)
        let user = try await Town.user(db)
        return (db, user)
    }

    func titles(_ items: [ItemSummary]) -> [String] { items.map { $0.title ?? "" } }

    @Test(arguments: StoreBackends.all) func homePageMergesChannelsNewestFirstWithUnreadCounts(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        try await db.subscribe(userID: user, channelID: "conseil")
        try await db.subscribe(userID: user, channelID: "culture")
        try await db.subscribe(userID: user, channelID: "presse")
        let home = try await db.homePage(userID: user, limit: 5, perChannel: 2)
        #expect(titles(home.items) == ["Conseil 0", "Théâtre 0", "Conseil 1", "Théâtre 1", "Conseil 2"])
        #expect(home.channels.map(\.channel.id) == ["conseil", "culture", "presse"])
        #expect(home.channels.map(\.unread) == [12, 3, 3])
        #expect(home.channels.map { titles($0.latest) } == [["Conseil 0", "Conseil 1"], ["Théâtre 0", "Théâtre 1"], ["Théâtre 0", "Théâtre 1"]])

        let theatre = home.items[1].id
        #expect(try await db.markRead(itemID: theatre, userID: user))
        #expect(try await !db.markRead(itemID: theatre, userID: user))
        var counts = try await db.homePage(userID: user, limit: 5).channels.map(\.unread)
        #expect(counts == [12, 2, 2]) // one item, two channels: both counters move
        #expect(try await db.homePage(userID: user, limit: 5).items[1].isRead)
        try await db.markUnread(itemID: theatre, userID: user)
        counts = try await db.homePage(userID: user, limit: 5).channels.map(\.unread)
        #expect(counts == [12, 3, 3])
    }

    @Test(arguments: StoreBackends.all) func anotherAgentNeverSeesMyState(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        let other = try await Town.user(db, "autre")
        try await db.subscribe(userID: user, channelID: "conseil")
        try await db.subscribe(userID: other, channelID: "conseil")
        let page = try await db.channelPage(channelID: "conseil", userID: user, limit: 1)
        try await db.markRead(itemID: page.items[0].id, userID: user)
        try await db.star(itemID: page.items[0].id, userID: user)
        let theirs = try await db.channelPage(channelID: "conseil", userID: other, limit: 1)
        #expect(theirs.items[0].isRead == false)
        #expect(theirs.items[0].isStarred == false)
        #expect(try await db.homePage(userID: other).channels[0].unread == 12)
        #expect(try await db.starredItems(userID: other).items.isEmpty)
    }

    @Test(arguments: StoreBackends.all) func channelPagesWalkEveryItemOnceWithKeysets(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        var seen: [String] = []
        var cursor: PageCursor?
        repeat {
            let page = try await db.channelPage(channelID: "conseil", userID: user, before: cursor, limit: 5)
            seen += titles(page.items)
            cursor = page.nextCursor
            if let token = cursor?.token { #expect(PageCursor(token: token) == cursor) }
        } while cursor != nil
        #expect(seen == (0..<12).map { "Conseil \($0)" })
        #expect(PageCursor(token: "x-1") == nil)
        await #expect(throws: StoreError.notFound(what: "channel", id: "inconnu")) {
            try await db.channelPage(channelID: "inconnu", userID: user)
        }
    }

    @Test(arguments: StoreBackends.all) func markAllReadOlderThan(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        try await db.subscribe(userID: user, channelID: "conseil")
        let changed = try await db.markAllRead(channelID: "conseil", userID: user, olderThan: Town.now.addingTimeInterval(-3_600 * 5))
        #expect(changed == 7) // c5…c11
        #expect(try await db.homePage(userID: user).channels[0].unread == 5)
        let unread = try await db.channelPage(channelID: "conseil", userID: user, unreadOnly: true)
        #expect(titles(unread.items) == (0..<5).map { "Conseil \($0)" })
        #expect(try await db.markAllRead(channelID: nil, userID: user) == 5)
        #expect(try await db.unreadItems(userID: user).items.isEmpty)
    }

    @Test(arguments: StoreBackends.all) func unreadListAcrossChannelsShowsEachItemOnce(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        try await db.subscribe(userID: user, channelID: "culture")
        try await db.subscribe(userID: user, channelID: "presse")
        let page = try await db.unreadItems(userID: user, limit: 2)
        #expect(titles(page.items) == ["Théâtre 0", "Théâtre 1"])
        let rest = try await db.unreadItems(userID: user, before: page.nextCursor, limit: 2)
        #expect(titles(rest.items) == ["Théâtre 2"])
        #expect(rest.nextCursor == nil)
    }

    @Test(arguments: StoreBackends.all) func itemDetailWithNeighbours(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        let page = try await db.channelPage(channelID: "conseil", userID: user, limit: 3)
        let middle = try await db.item(id: page.items[1].id, userID: user)
        #expect(middle.previousID == page.items[0].id)
        #expect(middle.nextID == page.items[2].id)
        #expect(middle.channels.map(\.id) == ["conseil"])
        #expect(middle.contentHTML == nil)
        let theatre = try await db.channelPage(channelID: "presse", userID: user, limit: 1).items[0]
        let detail = try await db.item(id: theatre.id, userID: user, channelID: "culture")
        #expect(detail.summary.channel?.id == "culture")
        #expect(detail.channels.map(\.id) == ["culture", "presse"])
        await #expect(throws: StoreError.notFound(what: "item", id: "999999")) { try await db.item(id: 999_999, userID: user) }
        await #expect(throws: StoreError.notFound(what: "item", id: "999999")) { try await db.markRead(itemID: 999_999, userID: user) }
    }

    @Test(arguments: StoreBackends.all) func starredListNewestStarFirst(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        let items = try await db.channelPage(channelID: "conseil", userID: user, limit: 3).items
        try await db.star(itemID: items[2].id, userID: user, at: Town.day(2))
        try await db.star(itemID: items[0].id, userID: user, at: Town.day(1))
        #expect(try await db.starredItems(userID: user).items.map(\.id) == [items[0].id, items[2].id])
        #expect(try await db.unstar(itemID: items[0].id, userID: user))
        #expect(try await db.starredItems(userID: user).items.map(\.id) == [items[2].id])
    }

    @Test(arguments: StoreBackends.all) func defaultBouquetsAndGroupBouquets(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        #expect(try await db.subscribeDefaults(userID: user, groups: []) == 1)
        #expect(try await db.subscriptions(userID: user).map(\.id) == ["conseil"])
        let cultured = try await Town.user(db, "culture")
        #expect(try await db.subscribeDefaults(userID: cultured, groups: ["gg-culture"]) == 3)
        try await db.unsubscribe(userID: cultured, bouquetID: "loisirs")
        #expect(try await db.subscriptions(userID: cultured).map(\.id) == ["conseil"])
        #expect(try await db.subscribe(userID: cultured, bouquetID: "loisirs") == 2)
        try await db.unsubscribe(userID: cultured, channelID: "presse")
        #expect(try await db.subscriptions(userID: cultured).map(\.id) == ["conseil", "culture"])
    }

    @Test(arguments: StoreBackends.all) func catalogueListsBouquetsChannelsAndSources(_ backend: StoreBackend) async throws {
        let (db, user) = try await Self.store(backend)
        try await db.subscribe(userID: user, channelID: "culture")
        let listing = try await db.catalogue(userID: user)
        #expect(listing.bouquets.map(\.id).prefix(2) == ["essentiel", "loisirs"])
        let conseil = listing.bouquets[0].channels[0]
        #expect(conseil.sources.map(\.id) == ["mairie", "metropole"])
        #expect(conseil.sources[0].trusted)
        #expect(conseil.lastUpdate == Town.now)
        #expect(conseil.itemCount == 12)
        #expect(conseil.description == "Délibérations")
        #expect(listing.bouquets[1].channels.map(\.subscribed) == [true, false])
        #expect(listing.otherChannels.isEmpty)
    }
}
