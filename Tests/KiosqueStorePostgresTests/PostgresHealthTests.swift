import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Fetch attempts and source health on PostgreSQL, as on SQLite; a recorded attempt ends the lease.
@Suite(.postgres)
struct PostgresHealthTests {
    @Test func attemptsAndHealthMatchSQLiteAndEndTheLease() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let catalog = FetchLeaseTests.catalog(sources: 3)
        let attempts: [(attempt: FetchAttempt, nextAttemptAt: Date?)] = [
            (FetchAttempt(sourceID: "s0", startedAt: start, duration: 0.5, httpStatus: 200, bytes: 1200, newItems: 3,
                          warnings: ["date"], discoveredFeeds: ["http://127.0.0.1:9/other.xml"]), start.addingTimeInterval(1800)),
            (FetchAttempt(sourceID: "s1", startedAt: start, duration: 2, errorClass: .timeout, errorMessage: "délai dépassé"),
             start.addingTimeInterval(600)),
            (FetchAttempt(sourceID: "gone", startedAt: start), nil),
            (FetchAttempt(sourceID: "s1", startedAt: start.addingTimeInterval(600), duration: 1, httpStatus: 503,
                          errorClass: .http5xx, errorMessage: "503"), start.addingTimeInterval(1800)),
        ]
        let sqlite = try AppDatabase.temporary()
        try await sqlite.syncCatalog(catalog, now: start)
        let sqliteUnknown = try await sqlite.recordAttempts(attempts)
        try await PostgresCluster.withFreshStore { postgres in
            try await postgres.syncCatalog(catalog, now: start)
            let leased = try await postgres.leaseDueSources(owner: "a", limit: 3, perHost: .max, duration: 300, now: start)
            #expect(leased.count == 3)
            let unknown = try await postgres.recordAttempts(attempts)
            #expect(unknown == sqliteUnknown && unknown == ["gone"])
            #expect(try await postgres.allHealth() == (try await sqlite.allHealth()))
            #expect(try await postgres.health(sourceID: "s1") == (try await sqlite.health(sourceID: "s1")))
            #expect(try await postgres.health(sourceID: "nope") == nil)
            #expect(try await postgres.recentAttempts(sourceID: "s1", limit: 5) == (try await sqlite.recentAttempts(sourceID: "s1", limit: 5)))
            // s2 was never fetched: still leased; s0 and s1 are free but not due until their next attempt.
            #expect(try await postgres.leaseDueSources(owner: "b", limit: 3, perHost: .max, duration: 300, now: start.addingTimeInterval(60)).isEmpty)
            let due = try await postgres.leaseDueSources(owner: "b", limit: 3, perHost: .max, duration: 300, now: start.addingTimeInterval(1800))
            // s0 and s1 are due again; s2's lease (instance "a", 300 s) has expired: taken over.
            #expect(Set(due) == ["s0", "s1", "s2"])
            #expect(try await postgres.pruneAttempts(keep: 1) == (try await sqlite.pruneAttempts(keep: 1)))
            do {
                try await postgres.recordAttempt(FetchAttempt(sourceID: "gone", startedAt: start), nextAttemptAt: nil)
                Issue.record("recorded an attempt of an unknown source")
            } catch {
                #expect((error as? StoreError) == .notFound(what: "source", id: "gone"))
            }
        }
    }
}
