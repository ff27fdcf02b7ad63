import Foundation
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Several instances on one database: each one's kept pages must drop when another writes.
/// Writes notify `kiosque_changes` at commit; each store listens on a connection of its own.
@Suite(.postgres)
struct PostgresChangeNotificationTests {
    @Test func aWriteThroughOneInstanceMovesTheOthersClockAndAReconnectDropsEverything() async throws {
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        let database = configuration.database
        try await PostgresCluster.withStore(configuration) { first in
            try await PostgresCluster.withStore(configuration, migrate: false) { second in
                try await Self.waitForListeners(2, server: server, database: database)
                let secondBefore = second.changeCount(), firstBefore = first.changeCount()
                _ = try await first.createUser(NewUser(login: "zoe", name: "Zoé Leroy", passwordHash: "x"), at: Date())
                try await Self.eventually { second.changeCount() > secondBefore }
                #expect(first.changeCount() == firstBefore + 1, "an instance does not count its own notification twice")

                // The listener's connection is cut (a database restart, a network blip): once it
                // listens again, everything kept is dropped, since missed notifications are not replayed.
                let cut = second.changeCount()
                try await blockingWork {
                    try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
                                    database: database)
                }
                try await Self.eventually { second.changeCount() > cut }
                try await Self.waitForListeners(2, server: server, database: database)
                let again = second.changeCount()
                _ = try await first.createUser(NewUser(login: "yves", name: "Yves Roux", passwordHash: "x"), at: Date())
                try await Self.eventually { second.changeCount() > again }
            }
        }
    }

    /// Waits until `count` connections of `database` are listening.
    static func waitForListeners(_ count: Int, server: PostgresServer, database: String) async throws {
        try await eventually {
            let listening = try await blockingWork {
                try server.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND query ILIKE 'LISTEN%'")
            }
            return Int(listening) == count
        }
    }

    /// Polls `condition` for up to 20 seconds (the whole suite shares two cores).
    static func eventually(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await condition(), "still false after 20 s")
    }
}
