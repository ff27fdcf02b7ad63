import Foundation
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// The first administrator on PostgreSQL: one set-up token, one account, even through two instances at once.
@Suite(.postgres)
struct PostgresFirstRunTests {
    @Test func twoInstancesSubmittingTheSetUpFormAtOnceCreateOneAdministrator() async throws {
        let configuration = try await PostgresCluster.freshDatabase()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await PostgresCluster.withStore(configuration) { first in
            #expect(try await !first.administratorExists())
            #expect(try await first.issueSetupToken(hash: "token-hash", expiresAt: now.addingTimeInterval(600)))
            #expect(try await first.setupTokenIsValid(hash: "token-hash", at: now))
            #expect(try await !first.setupTokenIsValid(hash: "token-hash", at: now.addingTimeInterval(601)))
            #expect(try await !first.setupTokenIsValid(hash: "other", at: now))
            try await PostgresCluster.withStore(configuration, migrate: false) { second in
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for (store, login) in [(first, "alice"), (second, "bob"), (first, "carole"), (second, "david")] {
                        group.addTask {
                            (try? await store.createFirstAdministrator(NewUser(login: login), tokenHash: "token-hash", at: now)) != nil
                        }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                let admins = try await second.users().filter(\.isAdmin)
                #expect(admins.count == 1)
                #expect(try await second.administratorExists())
                #expect(try await !second.issueSetupToken(hash: "again", expiresAt: now.addingTimeInterval(600)))
                #expect(try await !second.setupTokenIsValid(hash: "token-hash", at: now))
            }
        }
    }
}
