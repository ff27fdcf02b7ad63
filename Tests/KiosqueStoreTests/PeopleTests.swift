import Foundation
import KiosqueModel
import Testing
@testable import KiosqueStore
import KiosqueStoreTesting

/// Users, memberships, sessions, sign-in failures, activity log, source health.
struct PeopleTests {
    @Test(arguments: StoreBackends.all) func userLifecycle(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let alice = try await db.createUser(NewUser(login: "alice", name: "Alice", passwordHash: "$2b$10$hash"), at: Town.now)
        await #expect(throws: StoreError.conflict(what: "login", detail: "ALICE is already taken")) {
            try await db.createUser(NewUser(login: "ALICE"))
        }
        #expect(try await db.user(login: "Alice")?.id == alice.id)
        var update = UserUpdate()
        update.language = "en"
        update.apiTokenHash = .some("tokhash")
        update.email = .some("alice@ville.example")
        let changed = try await db.updateUser(id: alice.id, update)
        #expect(changed.language == "en")
        #expect(try await db.user(apiTokenHash: "tokhash")?.login == "alice")
        update = UserUpdate()
        update.email = .some(nil)
        #expect(try await db.updateUser(id: alice.id, update).email == nil)
        try await db.touchUser(id: alice.id, at: Town.day(2))
        try await db.touchUser(id: alice.id, at: Town.day(1))
        let seen = try #require(try await db.user(id: alice.id))
        #expect(seen.lastSeenAt == Town.day(1))
        #expect(seen.previousSeenAt == Town.day(2))
        try await db.deleteUser(id: alice.id)
        #expect(try await db.user(id: alice.id) == nil)
        await #expect(throws: StoreError.notFound(what: "user", id: String(alice.id))) { try await db.deleteUser(id: alice.id) }
    }

    @Test(arguments: StoreBackends.all) func departmentsFromGroupsAndEditors(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let user = try await Town.user(db)
        try await db.applyDepartmentGroups(userID: user, groups: ["GG-DSI", "autre"])
        #expect(try await db.memberships(userID: user) == [DepartmentMembership(departmentID: "dsi", title: "Informatique", isEditor: false)])
        try await db.setMembership(userID: user, departmentID: "dsi", isEditor: true)
        #expect(try await db.memberships(userID: user).first?.isEditor == true)
        try await db.removeMembership(userID: user, departmentID: "dsi")
        #expect(try await db.memberships(userID: user).isEmpty)
        await #expect(throws: StoreError.notFound(what: "department", id: "rh")) {
            try await db.setMembership(userID: user, departmentID: "rh", isEditor: false)
        }
    }

    @Test(arguments: StoreBackends.all) func sessionsExpireAndLogOutEverywhere(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let user = try await Town.user(db)
        try await db.sessionSet(key: "k1", value: Data("un".utf8), expires: Town.now.addingTimeInterval(60), userID: user, now: Town.now)
        try await db.sessionSet(key: "k2", value: Data("deux".utf8), expires: Town.now.addingTimeInterval(-1), userID: user, now: Town.now)
        try await db.sessionSet(key: "k3", value: Data("trois".utf8), expires: nil, now: Town.now)
        #expect(try await db.sessionGet(key: "k1", now: Town.now) == Data("un".utf8))
        #expect(try await db.sessionGet(key: "k2", now: Town.now) == nil)
        #expect(try await db.sessionOwner(key: "k2") == nil) // the expired one was removed on read
        try await db.sessionSet(key: "k1", value: Data("modifié".utf8), expires: Town.now.addingTimeInterval(120), now: Town.now)
        #expect(try await db.sessionOwner(key: "k1")?.userID == user) // an update keeps the owner
        #expect(try await db.removeSessions(userID: user) == 1)
        #expect(try await db.sessionGet(key: "k1", now: Town.now) == nil)
        #expect(try await db.sessionGet(key: "k3", now: Town.now) == Data("trois".utf8))
        try await db.sessionRemove(key: "k3")
        #expect(try await db.sessionGet(key: "k3", now: Town.now) == nil)
    }

    @Test(arguments: StoreBackends.all) func loginFailuresByAccountAndAddress(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        for minute in 0..<3 { try await db.recordLoginFailure(account: "Bob", address: "10.0.0.1", at: Town.now.addingTimeInterval(Double(minute) * 60)) }
        try await db.recordLoginFailure(account: "carol", address: "10.0.0.1", at: Town.now)
        let counts = try await db.loginFailures(account: "bob", address: "10.0.0.1", since: Town.now.addingTimeInterval(30))
        #expect(counts.account == 2)
        #expect(counts.address == 2)
        try await db.clearLoginFailures(account: "BOB")
        #expect(try await db.loginFailures(account: "bob", address: nil, since: Town.day(1)).account == 0)
    }

    @Test func activityIsPurgedIntoDailyCounts() async throws {
        let db = try await Town.store()
        let user = try await Town.user(db)
        try await db.logActivity(action: "login", userID: user, address: "10.0.0.2", at: Town.day(100))
        try await db.logActivity(action: "login", userID: user, at: Town.day(100))
        try await db.logActivity(action: "search", userID: user, detail: "budget", at: Town.day(1))
        #expect(try await db.purgeActivity(olderThanDays: 90, now: Town.now) == 2)
        let days = try await db.dailyActivity(since: Town.day(200))
        #expect(days.map(\.action) == ["login", "search"])
        #expect(days.first?.events == 2)
        #expect(days.first?.users == 1)
        let leftover = try await db.read("test") { try Int.fetchOne($0, sql: "SELECT count(*) FROM activity_log WHERE address IS NOT NULL") }
        #expect(leftover == 0) // no address survives the purge
    }

    @Test(arguments: StoreBackends.all) func dashboardAggregates(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("a", "Un", published: Town.day(1)),
                                                            Town.item("b", "Deux", published: Town.day(1)),
                                                            Town.item("c", "Trois", published: Town.day(3))], fetchedAt: Town.now)
        let user = try await Town.user(db)
        try await db.subscribe(userID: user, channelID: "conseil")
        try await db.markAllRead(channelID: "conseil", userID: user)
        let stats = try await db.channelStatistics()
        #expect(stats.first?.channel.id == "conseil")
        #expect(stats.first.map { [$0.items, $0.subscribers, $0.reads] } == [3, 1, 3])
        #expect(try await db.itemsPerDay(since: Town.day(10)).map(\.count) == [1, 2])
    }

    @Test(arguments: StoreBackends.all) func healthFollowsAttempts(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        #expect(try await db.health(sourceID: "mairie") == SourceHealth(sourceID: "mairie"))
        #expect(try await db.health(sourceID: "nope") == nil)
        let ok = FetchAttempt(sourceID: "mairie", startedAt: Town.day(2), duration: 0.5, httpStatus: 200, bytes: 1234, newItems: 3)
        let failed = FetchAttempt(sourceID: "mairie", startedAt: Town.day(1), duration: 10, errorClass: .timeout,
                                  errorMessage: "no answer in 10 s", warnings: ["slow"], discoveredFeeds: ["https://x/rss"])
        try await db.recordAttempt(ok, nextAttemptAt: Town.day(1.5))
        try await db.recordAttempt(failed, nextAttemptAt: Town.now)
        try await db.recordAttempt(failed, nextAttemptAt: Town.now)
        let health = try #require(try await db.health(sourceID: "mairie"))
        #expect(health.consecutiveFailures == 2)
        #expect(health.lastSuccessAt == Town.day(2).addingTimeInterval(0.5))
        #expect(health.lastAttempt == failed)
        #expect(health.nextAttemptAt == Town.now)
        #expect(try await db.recentAttempts(sourceID: "mairie", limit: 2) == [failed, failed])
        try await db.recordAttempt(ok, nextAttemptAt: nil)
        #expect(try await db.health(sourceID: "mairie")?.consecutiveFailures == 0)
        #expect(try await db.allHealth().map(\.sourceID) == ["mairie", "metropole", "presse"])
        #expect(try await db.pruneAttempts(keep: 1) == 3)
    }
}
