import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting
import Testing

/// The change stamp is what lets the web front serve a cached Ma page: it must move on every
/// committed change an agent can see, and only then.
@Suite("Change stamps")
struct ChangeStampTests {
    @Test(arguments: StoreBackends.all) func agentChangesMoveOnlyThatAgentsStamp(_ backend: StoreBackend) async throws {
        do {
            let db = try await Town.store(backend)
            _ = try await db.ingest(sourceID: "mairie", items: [Town.item("m1", "Budget primitif voté")], fetchedAt: Town.now)
            let anne = try await Town.user(db, "anne"), paul = try await Town.user(db, "paul")
            let item = try #require(try await db.search(query: "budget", userID: anne).items.first?.item.id)
            let anneBefore = db.changeStamp(userID: anne), paulBefore = db.changeStamp(userID: paul)

            try await db.markRead(itemID: item, userID: anne)
            let anneAfterRead = db.changeStamp(userID: anne)
            #expect(anneAfterRead != anneBefore)
            #expect(anneAfterRead.shared == anneBefore.shared)
            #expect(db.changeStamp(userID: paul) == paulBefore, "another agent's reads change nothing for Paul")

            try await db.markRead(itemID: item, userID: anne)
            #expect(db.changeStamp(userID: anne) == anneAfterRead, "a write that changes no row moves nothing")

            for change in [{ try await db.star(itemID: item, userID: anne) } as @Sendable () async throws -> Bool,
                           { try await db.unstar(itemID: item, userID: anne) }, { try await db.markUnread(itemID: item, userID: anne) }] {
                let before = db.changeStamp(userID: anne)
                _ = try await change()
                #expect(db.changeStamp(userID: anne) != before)
            }
            var stamp = db.changeStamp(userID: anne)
            try await db.subscribe(userID: anne, channelID: "culture")
            #expect(db.changeStamp(userID: anne) != stamp)
            stamp = db.changeStamp(userID: anne)
            var update = UserUpdate()
            update.homeLayout = "river"
            _ = try await db.updateUser(id: anne, update)
            #expect(db.changeStamp(userID: anne) != stamp)
            stamp = db.changeStamp(userID: anne)
            try await db.setMembership(userID: anne, departmentID: "dsi", isEditor: false)
            #expect(db.changeStamp(userID: anne) != stamp)
            #expect(db.changeStamp(userID: paul) == paulBefore)
        }
    }

    @Test(arguments: StoreBackends.all) func sharedContentMovesEveryStampAndBookkeepingNone(_ backend: StoreBackend) async throws {
        do {
            let db = try await Town.store(backend)
            let anne = try await Town.user(db, "anne")
            let items = [Town.item("m1", "Budget primitif voté"), Town.item("m2", "Travaux de voirie")]
            _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)
            var stamp = db.changeStamp(userID: anne)

            // Bookkeeping: sessions, failed sign-ins, fetch history, activity.
            try await db.sessionSet(key: "k", value: Data("{}".utf8), expires: Town.now.addingTimeInterval(3_600), userID: anne)
            try await db.recordAttempt(FetchAttempt(sourceID: "mairie", startedAt: Town.now, duration: 0.1, httpStatus: 304, notModified: true),
                                       nextAttemptAt: Town.now.addingTimeInterval(600))
            #expect(db.changeStamp(userID: anne) == stamp)

            // The same items fetched again change nothing; a new one changes what everyone sees.
            _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)
            #expect(db.changeStamp(userID: anne) == stamp)
            _ = try await db.ingest(sourceID: "mairie", items: items + [Town.item("m3", "Nouvelle crèche")], fetchedAt: Town.now)
            #expect(db.changeStamp(userID: anne).shared != stamp.shared)
            stamp = db.changeStamp(userID: anne)

            // A failed write rolls back and moves nothing.
            await #expect(throws: StoreError.self) { try await db.markRead(itemID: 999_999, userID: anne) }
            #expect(db.changeStamp(userID: anne) == stamp)
        }
    }

    @Test(arguments: StoreBackends.all) func cachedCatalogueFollowsSubscriptionsAndNewItems(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let anne = try await Town.user(db, "anne"), paul = try await Town.user(db, "paul")
        func culture(_ user: Int64) async throws -> ChannelListing {
            let listing = try await db.catalogue(userID: user)
            return try #require((listing.bouquets.flatMap(\.channels) + listing.otherChannels).first { $0.channel.id == "conseil" })
        }
        #expect(try await culture(anne).subscribed == false)
        try await db.subscribe(userID: anne, channelID: "conseil")
        #expect(try await culture(anne).subscribed)
        #expect(try await culture(paul).subscribed == false, "flags are the asking agent's, never the cached copy's")
        #expect(try await culture(anne).itemCount == 0)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("m1", "Budget primitif voté")], fetchedAt: Town.now)
        let after = try await culture(paul)
        #expect(after.itemCount == 1)
        #expect(after.lastUpdate == Town.now)
    }
}
