import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Retention, upkeep, the activity and sign-in logs and the statistics on PostgreSQL give what SQLite
/// gives for the same data; a backup to a file is refused with the way to back PostgreSQL up.
@Suite(.postgres)
struct PostgresOperationsTests {
    typealias Store = CatalogStore & IngestStore & OperationsStore & PeopleStore & ReadsStoreMarks
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two sources of items one day apart, going back `count` days from `now`.
    static func items(_ source: String, count: Int) -> [PreparedItem] {
        (0..<count).map { index in
            PreparedItem(item: ParsedItem(id: "\(source)-\(index)", title: "\(source) \(index)", link: "http://127.0.0.1:9/\(source)/\(index)",
                                          published: now.addingTimeInterval(-Double(index) * 86_400 - Double(source.count))),
                         contentText: "texte \(index)")
        }
    }

    /// The same catalogue, items, agents, reads and stars in a store.
    static func fill(_ store: any Store) async throws {
        try await store.syncCatalog(PostgresCatalogTests.catalog, now: now)
        _ = try await store.ingest(sourceID: "mairie", items: items("mairie", count: 30), fetchedAt: now)
        _ = try await store.ingest(sourceID: "presse", items: items("presse", count: 20), fetchedAt: now)
        let alice = try await store.createUser(NewUser(login: "alice"), at: now).id
        let bob = try await store.createUser(NewUser(login: "bob"), at: now).id
        _ = try await store.subscribeDefaults(userID: alice, groups: ["animation"], at: now)
        _ = try await store.subscribeDefaults(userID: bob, groups: [], at: now)
        for item in [1, 2, 3, 31, 32] as [Int64] { _ = try await store.markRead(itemID: item, userID: alice) }
        _ = try await store.markRead(itemID: 2, userID: bob)
        // Old items, starred: retention keeps them.
        _ = try await store.star(itemID: 29, userID: alice, at: now)
        _ = try await store.star(itemID: 50, userID: bob, at: now)
    }

    @Test func statisticsActivityAndSignInsMatchSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        try await Self.fill(sqlite)
        try await PostgresCluster.withFreshStore { postgres in
            try await Self.fill(postgres)
            func same<T: Equatable>(_ what: String, _ a: T, _ b: T) { #expect(a == b, "\(what) differs") }
            same("channel statistics", try await sqlite.channelStatistics(), try await postgres.channelStatistics())
            let week = Self.now.addingTimeInterval(-7 * 86_400)
            same("items per day", try await sqlite.itemsPerDay(since: week), try await postgres.itemsPerDay(since: week))
            #expect(try await postgres.itemsPerDay(since: week).map(\.count).reduce(0, +) > 0)
            same("counts", try await sqlite.counts(), try await postgres.counts())

            for store in [sqlite as any Store, postgres as any Store] {
                for (offset, action, user) in [(-40, "login", 1), (-40, "login", 2), (-39, "login", 1), (-2, "search", 1),
                                               (-1, "login", 2), (0, "login", 1)] as [(Double, String, Int64)] {
                    try await store.logActivity(action: action, userID: user, detail: "d", address: "127.0.0.1",
                                                at: Self.now.addingTimeInterval(offset * 86_400))
                }
                try await store.logActivity(action: "api", userID: nil, detail: nil, address: nil, at: Self.now)
                for (index, success) in [true, false, false, true].enumerated() {
                    try await store.recordSignIn(SignInEvent(method: "password", login: String(repeating: "a", count: 250) + "\(index)",
                                                             userID: success ? 1 : nil, address: "127.0.0.1", success: success,
                                                             reason: success ? nil : "mauvais mot de passe",
                                                             at: Self.now.addingTimeInterval(Double(index - 40 * (index % 2)) * 86_400)))
                }
            }
            let longAgo = Self.now.addingTimeInterval(-60 * 86_400)
            same("activity", try await sqlite.dailyActivity(since: longAgo), try await postgres.dailyActivity(since: longAgo))
            same("sign-ins", try await sqlite.signIns(limit: 3, failuresOnly: false), try await postgres.signIns(limit: 3, failuresOnly: false))
            same("failed sign-ins", try await sqlite.signIns(limit: 10, failuresOnly: true), try await postgres.signIns(limit: 10, failuresOnly: true))
            #expect(try await postgres.signIns(limit: 10, failuresOnly: true).count == 2)
            #expect(try await postgres.signIns(limit: 1, failuresOnly: false).first?.login.count == 200)

            same("purged", try await sqlite.purgeActivity(olderThanDays: 30, now: Self.now),
                 try await postgres.purgeActivity(olderThanDays: 30, now: Self.now))
            same("activity after the purge", try await sqlite.dailyActivity(since: longAgo), try await postgres.dailyActivity(since: longAgo))
            same("sign-ins after the purge", try await sqlite.signIns(limit: 10, failuresOnly: false),
                 try await postgres.signIns(limit: 10, failuresOnly: false))
            // A second purge of the same days adds to the rolled-up counts.
            for store in [sqlite as any Store, postgres as any Store] {
                try await store.logActivity(action: "login", userID: 2, detail: nil, address: nil, at: Self.now.addingTimeInterval(-40 * 86_400))
                #expect(try await store.purgeActivity(olderThanDays: 30, now: Self.now) == 1)
            }
            same("activity after two purges", try await sqlite.dailyActivity(since: longAgo),
                 try await postgres.dailyActivity(since: longAgo))
        }
    }

    @Test func retentionMatchesSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        try await Self.fill(sqlite)
        try await PostgresCluster.withFreshStore { postgres in
            try await Self.fill(postgres)
            let byAge = try await sqlite.applyRetention(days: 20, maxItemsPerSource: nil, now: Self.now)
            #expect(byAge > 0)
            #expect(try await postgres.applyRetention(days: 20, maxItemsPerSource: nil, now: Self.now) == byAge)
            #expect(try await postgres.counts() == (try await sqlite.counts()))
            let byCount = try await sqlite.applyRetention(days: nil, maxItemsPerSource: 5, now: Self.now)
            #expect(byCount > 0)
            #expect(try await postgres.applyRetention(days: nil, maxItemsPerSource: 5, now: Self.now) == byCount)
            #expect(try await postgres.counts() == (try await sqlite.counts()))
            #expect(try await postgres.channelStatistics() == (try await sqlite.channelStatistics()))
            // Starred items stay.
            #expect(try await postgres.applyRetention(days: 0, maxItemsPerSource: 0, now: Self.now.addingTimeInterval(86_400)) ==
                    (try await sqlite.applyRetention(days: 0, maxItemsPerSource: 0, now: Self.now.addingTimeInterval(86_400))))
            #expect(try await postgres.counts()["items"] == 2)
            #expect(try await postgres.counts() == (try await sqlite.counts()))
        }
    }

    @Test func upkeepReportsTheSizeAndBackupSaysWhatToRun() async throws {
        try await PostgresCluster.withFreshStore { postgres in
            try await Self.fill(postgres)
            #expect(postgres.sizeOnDisk() == 0 || postgres.sizeOnDisk() > 1_000_000)
            _ = try await postgres.counts()
            let measured = postgres.sizeOnDisk()
            #expect(measured > 1_000_000)
            _ = try await postgres.applyRetention(days: 1, maxItemsPerSource: nil, now: Self.now)
            let full = try await postgres.optimize(fullMerge: true, budget: 20)
            #expect(full.sizeBytes > 1_000_000 && full.freedPages >= 0)
            #expect(postgres.sizeOnDisk() == full.sizeBytes)
            let steps = try await postgres.optimize(fullMerge: false, budget: 5)
            #expect(steps.sizeBytes > 1_000_000)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-backup-\(UUID().uuidString)").path
            do {
                try await postgres.backup(to: folder)
                Issue.record("a PostgreSQL store wrote a backup file")
            } catch {
                #expect(String(describing: error).contains("kiosque backup"))
                #expect(String(describing: error).contains("pg_dump"))
            }
            #expect(!FileManager.default.fileExists(atPath: folder))
        }
    }
}
