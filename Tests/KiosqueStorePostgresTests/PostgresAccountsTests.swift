import Foundation
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Accounts on PostgreSQL, as on SQLite.
@Suite(.postgres)
struct PostgresAccountsTests {
    @Test func accountsMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            for (index, login) in ["bob", "Alice", "carole"].enumerated() {
                let made = NewUser(login: login, name: "Agent \(index)", email: "\(login)@ville.local", passwordHash: "h\(index)",
                                   isAdmin: index == 1, language: "fr", digestFrequency: "weekly")
                #expect(try await postgres.createUser(made, at: now) == (try await sqlite.createUser(made, at: now)))
            }
            do {
                _ = try await postgres.createUser(NewUser(login: "ALICE"), at: now)
                Issue.record("a login taken in another case was accepted")
            } catch {
                #expect((error as? StoreError) == .conflict(what: "login", detail: "ALICE is already taken"))
            }
            #expect(try await postgres.users() == (try await sqlite.users()))
            #expect(try await postgres.user(login: "alice")?.id == 2)
            #expect(try await postgres.user(login: "alice") == (try await sqlite.user(login: "alice")))
            try await postgres.touchUser(id: 1, at: now.addingTimeInterval(60))
            try await postgres.touchUser(id: 1, at: now.addingTimeInterval(120))
            try await sqlite.touchUser(id: 1, at: now.addingTimeInterval(60))
            try await sqlite.touchUser(id: 1, at: now.addingTimeInterval(120))
            #expect(try await postgres.user(id: 1) == (try await sqlite.user(id: 1)))
            #expect(try await postgres.user(apiTokenHash: "none") == nil)
            #expect(try await postgres.user(atomToken: "none") == nil)
            try await postgres.deleteUser(id: 3)
            #expect(try await postgres.user(id: 3) == nil)
            do {
                try await postgres.deleteUser(id: 3)
                Issue.record("deleted a missing user")
            } catch {
                #expect((error as? StoreError) == .notFound(what: "user", id: "3"))
            }
        }
    }
}
