import Foundation
import KiosqueStore
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// OpenID identities on PostgreSQL, as on SQLite.
@Suite(.postgres)
struct PostgresOIDCIdentityTests {
    @Test func bindingsMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            for store in [sqlite as any OIDCUnderTest, postgres as any OIDCUnderTest] {
                _ = try await store.createUser(NewUser(login: "alice"), at: now)
                _ = try await store.createUser(NewUser(login: "bob"), at: now)
                try await store.linkOIDCIdentity(provider: "proconnect", subject: "sub-a", userID: 1, email: "a@ville.local", at: now)
                try await store.linkOIDCIdentity(provider: "keycloak", subject: "sub-a", userID: 1, email: nil, at: now)
                for (subject, user) in [("sub-a", Int64(2)), ("sub-b", Int64(1))] {
                    do {
                        try await store.linkOIDCIdentity(provider: "proconnect", subject: subject, userID: user, email: nil, at: now)
                        Issue.record("bound \(subject) twice")
                    } catch {
                        #expect((error as? StoreError) == .conflict(what: "OpenID identity", detail: "proconnect identity already bound"))
                    }
                }
                do {
                    try await store.linkOIDCIdentity(provider: "proconnect", subject: "sub-z", userID: 99, email: nil, at: now)
                    Issue.record("bound to a missing account")
                } catch {
                    #expect((error as? StoreError) == .notFound(what: "user", id: "99"))
                }
                try await store.touchOIDCIdentity(provider: "proconnect", subject: "sub-a", email: "alice@ville.local",
                                                  at: now.addingTimeInterval(60))
                #expect(try await store.unlinkOIDCIdentity(provider: "keycloak", userID: 1))
                #expect(try await !store.unlinkOIDCIdentity(provider: "keycloak", userID: 1))
            }
            #expect(try await postgres.oidcIdentities(userID: 1) == (try await sqlite.oidcIdentities(userID: 1)))
            #expect(try await postgres.oidcAccount(provider: "proconnect", subject: "sub-a")
                    == (try await sqlite.oidcAccount(provider: "proconnect", subject: "sub-a")))
            #expect(try await postgres.oidcAccount(provider: "proconnect", subject: "nobody") == nil)
        }
    }
}

/// The OpenID methods both stores offer (PostgreSQL does not declare `PeopleStore` yet).
protocol OIDCUnderTest: Sendable {
    func createUser(_ user: NewUser, at date: Date) async throws(StoreError) -> UserAccount
    func linkOIDCIdentity(provider: String, subject: String, userID: Int64, email: String?, at date: Date) async throws(StoreError)
    func unlinkOIDCIdentity(provider: String, userID: Int64) async throws(StoreError) -> Bool
    func touchOIDCIdentity(provider: String, subject: String, email: String?, at date: Date) async throws(StoreError)
}

extension AppDatabase: OIDCUnderTest {}
extension PostgresStore: OIDCUnderTest {}
