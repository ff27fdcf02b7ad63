import Foundation
import KiosqueModel
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

extension PostgresAccountsTests {
    @Test func updatesAndMembershipsMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sqlite = try AppDatabase.temporary()
        let catalog = KiosqueModel.Catalog(
            sources: [], channels: [], bouquets: [],
            departments: [KiosqueModel.DepartmentDefinition(id: "urbanisme", title: "Urbanisme", groups: ["urba"]),
                          KiosqueModel.DepartmentDefinition(id: "culture", title: "Culture")])
        try await PostgresCluster.withFreshStore { postgres in
            for store in [sqlite as any AccountsUnderTest, postgres as any AccountsUnderTest] {
                try await store.syncCatalog(catalog, now: now)
                _ = try await store.createUser(NewUser(login: "alice"), at: now)
                var update = UserUpdate()
                update.name = "Alice Martin"
                update.email = .some(nil)
                update.isAdmin = true
                update.digestHour = 9
                update.atomToken = "feed-token"
                _ = try await store.updateUser(id: 1, update)
                try await store.setMembership(userID: 1, departmentID: "culture", isEditor: true)
                try await store.applyDepartmentGroups(userID: 1, groups: ["cn=URBA,ou=groups,dc=ville"])
                try await store.setMembership(userID: 1, departmentID: "culture", isEditor: false)
            }
            #expect(try await postgres.user(id: 1) == (try await sqlite.user(id: 1)))
            #expect(try await postgres.user(atomToken: "feed-token")?.name == "Alice Martin")
            #expect(try await postgres.memberships(userID: 1) == (try await sqlite.memberships(userID: 1)))
            #expect(try await postgres.memberships(userID: 1).count == 2)
            try await postgres.removeMembership(userID: 1, departmentID: "culture")
            #expect(try await postgres.memberships(userID: 1).map(\.departmentID) == ["urbanisme"])
        }
    }
}

/// What both stores offer for accounts (PostgreSQL does not declare `PeopleStore` yet).
protocol AccountsUnderTest: Sendable {
    func syncCatalog(_ catalog: KiosqueModel.Catalog, now: Date) async throws(StoreError) -> CatalogSyncReport
    func createUser(_ user: NewUser, at date: Date) async throws(StoreError) -> UserAccount
    func updateUser(id: Int64, _ update: UserUpdate) async throws(StoreError) -> UserAccount
    func setMembership(userID: Int64, departmentID: String, isEditor: Bool) async throws(StoreError)
    func applyDepartmentGroups(userID: Int64, groups: [String]) async throws(StoreError)
}

extension AppDatabase: AccountsUnderTest {}
extension PostgresStore: AccountsUnderTest {}
