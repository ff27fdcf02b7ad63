import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Directory-provisioned accounts on PostgreSQL, as on SQLite (PostgresStore is a PeopleStore).
@Suite(.postgres)
struct PostgresDirectoryTests {
    @Test func directoryAccountsAndGroupsMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let catalog = Catalog(
            sources: [SourceDefinition(id: "s", url: "http://127.0.0.1:9/s.xml")],
            channels: [ChannelDefinition(id: "urba", title: "Urbanisme", sources: ["s"])],
            bouquets: [BouquetDefinition(id: "pro", title: "Pro", channels: ["urba"], groups: ["urbanisme"])],
            departments: [DepartmentDefinition(id: "urbanisme", title: "Urbanisme", groups: ["urbanisme"]),
                          DepartmentDefinition(id: "culture", title: "Culture", groups: ["culture"])])
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            var moves: [[String]] = []
            for store in [sqlite as any PeopleStore & CatalogStore & SessionDataStore, postgres as any PeopleStore & CatalogStore & SessionDataStore] {
                try await store.syncCatalog(catalog, now: now)
                _ = try await store.createUser(NewUser(login: "alice"), at: now)
                try await store.confirmDirectoryAccount(userID: 1, dn: "uid=alice,ou=agents", groups: ["cn=culture,ou=groups"], at: now)
                try await store.setMembership(userID: 1, departmentID: "culture", isEditor: false)
                let followed = try await store.followDirectoryGroups(userID: 1, previous: ["cn=culture,ou=groups"],
                                                                     current: ["cn=urbanisme,ou=groups"], at: now)
                moves.append(followed.joined + ["|"] + followed.left)
                try await store.sessionSet(key: "k", value: Data(), expires: nil, userID: 1, now: now)
                try await store.disableGoneDirectoryAccount(userID: 1)
                #expect(try await store.sessionGet(key: "k", now: now) == nil)
                #expect(try await store.user(id: 1)?.isDisabled == true)
                try await store.confirmDirectoryAccount(userID: 1, dn: "uid=alice,ou=agents", groups: ["cn=urbanisme,ou=groups"],
                                                        at: now.addingTimeInterval(60))
            }
            #expect(moves[0] == ["urbanisme", "|", "culture"] && moves[1] == moves[0])
            #expect(try await postgres.user(id: 1)?.isDisabled == false)
            #expect(try await postgres.directoryLink(userID: 1) == (try await sqlite.directoryLink(userID: 1)))
            let onPostgres = try await postgres.directoryAccounts(), onSQLite = try await sqlite.directoryAccounts()
            #expect(onPostgres.map(\.account) == onSQLite.map(\.account) && onPostgres.map(\.link) == onSQLite.map(\.link))
            #expect(try await postgres.subscriptions(userID: 1) == (try await sqlite.subscriptions(userID: 1)))
            #expect(try await postgres.memberships(userID: 1) == (try await sqlite.memberships(userID: 1)))
        }
    }
}
