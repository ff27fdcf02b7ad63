import Foundation
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Sessions and sign-in throttling live in the shared database: what one instance writes, another reads.
@Suite(.postgres)
struct PostgresSessionTests {
    @Test func aSessionCreatedThroughOneInstanceWorksThroughTheOther() async throws {
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { _ in }
        try server.psql("INSERT INTO users (login, name, is_admin, created_at) VALUES ('Alice', 'Alice Martin', true, 1700000000)",
                        database: configuration.database)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await PostgresCluster.withStore(configuration, migrate: false) { first in
            try await PostgresCluster.withStore(configuration, migrate: false) { second in
                let before = first.changeCount()
                try await first.sessionSet(key: "hash-1", value: Data("payload".utf8), expires: now.addingTimeInterval(3600),
                                           userID: 1, now: now)
                #expect(first.changeCount() > before)
                let found = try await second.sessionWithOwner(key: "hash-1", now: now)
                #expect(found?.data == Data("payload".utf8))
                #expect(found?.owner?.login == "Alice" && found?.owner?.isAdmin == true)
                let owner = try await second.sessionOwner(key: "hash-1")
                #expect(owner?.userID == 1 && owner?.createdAt == now)
                // Replaced without an owner: the owner stays.
                try await second.sessionSet(key: "hash-1", value: Data("v2".utf8), expires: nil, userID: nil, now: now)
                let replaced = try await first.sessionWithOwner(key: "hash-1", now: now)
                #expect(replaced?.data == Data("v2".utf8) && replaced?.owner?.id == 1)
                // Expired: removed on read.
                try await first.sessionSet(key: "hash-2", value: Data(), expires: now, userID: 1, now: now)
                let expired = try await second.sessionGet(key: "hash-2", now: now)
                #expect(expired == nil)
                #expect(try await first.sessionOwner(key: "hash-2") == nil)
                // Log out everywhere.
                try await first.sessionSet(key: "hash-3", value: Data(), expires: nil, userID: 1, now: now)
                let removed = try await second.removeSessions(userID: 1)
                #expect(removed == 2)
                let gone = try await first.sessionGet(key: "hash-1", now: now)
                #expect(gone == nil)
                try await first.sessionSet(key: "old", value: Data(), expires: now.addingTimeInterval(-1), userID: nil, now: now)
                let purged = try await second.purgeExpiredSessions(now: now)
                #expect(purged == 1)
            }
        }
    }

    @Test func failedSignInsAreCountedAcrossInstances() async throws {
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { first in
            try await PostgresCluster.withStore(configuration, migrate: false) { second in
                let now = Date(timeIntervalSince1970: 1_800_000_000)
                try await first.recordLoginFailure(account: "Alice", address: "10.0.0.1", at: now)
                try await second.recordLoginFailure(account: "alice", address: nil, at: now)
                try await second.recordLoginFailure(account: nil, address: "10.0.0.1", at: now.addingTimeInterval(-7200))
                let counts = try await first.loginFailures(account: "ALICE", address: "10.0.0.1", since: now.addingTimeInterval(-60))
                #expect(counts.account == 2 && counts.address == 1)
                let none = try await first.loginFailures(account: nil, address: nil, since: now.addingTimeInterval(-60))
                #expect(none.account == 0 && none.address == 0)
                try await second.clearLoginFailures(account: "Alice")
                let cleared = try await first.loginFailures(account: "alice", address: nil, since: now.addingTimeInterval(-60))
                #expect(cleared.account == 0)
            }
        }
    }
}
