import Foundation
import KiosqueStore
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// The second factor on PostgreSQL behaves as on SQLite, and a code is accepted once across instances.
@Suite(.postgres)
struct PostgresTwoFactorTests {
    @Test func enrolmentCodesAndRecoveryMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sqlite = try AppDatabase.temporary()
        _ = try await sqlite.createUser(NewUser(login: "alice"), at: now)
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { postgres in
            _ = try await postgres.createUser(NewUser(login: "alice"), at: now)
            for store in [sqlite as any TwoFactorUnderTest, postgres as any TwoFactorUnderTest] {
                #expect(try await store.twoFactor(userID: 1) == nil)
                #expect(try await store.beginTwoFactor(userID: 1, sealedSecret: Data([1, 2, 3])))
                #expect(try await store.beginTwoFactor(userID: 1, sealedSecret: Data([4, 5, 6])))
                #expect(try await !store.acceptTwoFactorStep(userID: 1, step: 10))
                #expect(try await store.confirmTwoFactor(userID: 1, step: 10, recoveryHashes: ["r1", "r2", "r2"], at: now))
                #expect(try await !store.beginTwoFactor(userID: 1, sealedSecret: Data([9])))
                #expect(try await !store.acceptTwoFactorStep(userID: 1, step: 10))
                #expect(try await store.acceptTwoFactorStep(userID: 1, step: 11))
                #expect(try await store.useRecoveryCode(userID: 1, hash: "r1", at: now))
                #expect(try await !store.useRecoveryCode(userID: 1, hash: "r1", at: now))
            }
            #expect(try await postgres.twoFactor(userID: 1) == (try await sqlite.twoFactor(userID: 1)))
            #expect(try await postgres.twoFactor(userID: 1)?.recoveryCodesLeft == 1)
            // The same code presented to two instances at once is accepted once.
            try await PostgresCluster.withStore(configuration, migrate: false) { other in
                async let a = postgres.acceptTwoFactorStep(userID: 1, step: 12)
                async let b = other.acceptTwoFactorStep(userID: 1, step: 12)
                let accepted = try await [a, b]
                #expect(accepted.filter { $0 }.count == 1)
            }
            #expect(try await postgres.removeTwoFactor(userID: 1))
            #expect(try await !postgres.removeTwoFactor(userID: 1))
            #expect(try await postgres.twoFactor(userID: 1) == nil)
        }
    }
}

/// The second-factor methods both stores offer (PostgreSQL does not declare `PeopleStore` yet).
protocol TwoFactorUnderTest: Sendable {
    func twoFactor(userID: Int64) async throws(StoreError) -> TwoFactorRecord?
    func beginTwoFactor(userID: Int64, sealedSecret: Data) async throws(StoreError) -> Bool
    func confirmTwoFactor(userID: Int64, step: Int64, recoveryHashes: [String], at date: Date) async throws(StoreError) -> Bool
    func acceptTwoFactorStep(userID: Int64, step: Int64) async throws(StoreError) -> Bool
    func useRecoveryCode(userID: Int64, hash: String, at date: Date) async throws(StoreError) -> Bool
}

extension AppDatabase: TwoFactorUnderTest {}
extension PostgresStore: TwoFactorUnderTest {}
