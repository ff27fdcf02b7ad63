import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting
import Testing

/// The store's side of directory sign-in: group matching by DN or CN, following group changes,
/// accounts disabled by a sync, and the sign-in log's retention.
@Suite("Directory accounts and the sign-in log in the store")
struct DirectoryStoreTests {
    @Test(arguments: [
        (["cn=GG-Culture,ou=groups,dc=ville,dc=local"], ["gg-culture"], true),
        (["CN=gg-dsi,OU=Groups,DC=ville,DC=local"], ["cn=GG-DSI,ou=groups,dc=ville,dc=local"], true),
        (["gg-culture"], ["GG-Culture"], true),
        (["cn=Culture\\, loisirs,ou=groups,dc=x"], ["culture, loisirs"], true),
        (["cn=gg-culture-2,ou=groups,dc=x"], ["gg-culture"], false),
        (["ou=gg-culture,dc=x"], ["gg-culture"], false),
        ([String](), ["gg-culture"], false),
    ])
    func groupsMeetByFullDNOrCN(_ groups: [String], _ configured: [String], _ meets: Bool) {
        #expect(GroupMatch(groups).meets(configured) == meets)
    }

    @Test(arguments: StoreBackends.all) func followingGroupsJoinsAndLeavesWhatTheyMap(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let agent = try await db.createUser(NewUser(login: "zoe"))
        _ = try await db.subscribeDefaults(userID: agent.id, groups: [])
        let dsi = "cn=gg-dsi,ou=groups,dc=ville,dc=local", culture = "cn=GG-Culture,ou=groups,dc=ville,dc=local"
        var change = try await db.followDirectoryGroups(userID: agent.id, previous: [], current: [dsi, culture])
        #expect(change.joined == ["dsi"] && change.left.isEmpty)
        #expect(Set(try await db.subscriptions(userID: agent.id).map(\.id)) == ["conseil", "culture", "presse"])
        change = try await db.followDirectoryGroups(userID: agent.id, previous: [dsi, culture], current: [culture])
        #expect(change.left == ["dsi"])
        #expect(try await db.memberships(userID: agent.id).isEmpty)
        // An editor stays: an administrator made them one.
        try await db.setMembership(userID: agent.id, departmentID: "dsi", isEditor: true)
        change = try await db.followDirectoryGroups(userID: agent.id, previous: [dsi], current: [])
        let kept = try await db.memberships(userID: agent.id)
        #expect(change.left.isEmpty && kept.map(\.departmentID) == ["dsi"])
    }

    @Test(arguments: StoreBackends.all) func aSyncDisablesAndASignInEnablesAgainButNeverUndoesAnAdministrator(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let agent = try await db.createUser(NewUser(login: "yann"))
        try await db.confirmDirectoryAccount(userID: agent.id, dn: "uid=yann,dc=x", groups: ["g"])
        try await db.disableGoneDirectoryAccount(userID: agent.id)
        #expect(try await db.user(id: agent.id)?.isDisabled == true)
        #expect(try await db.directoryLink(userID: agent.id)?.disabledBySync == true)
        try await db.confirmDirectoryAccount(userID: agent.id, dn: "uid=yann,dc=x", groups: ["g"])
        #expect(try await db.user(id: agent.id)?.isDisabled == false)
        try await db.updateUser(id: agent.id, { var u = UserUpdate(); u.isDisabled = true; return u }())
        try await db.disableGoneDirectoryAccount(userID: agent.id)
        try await db.confirmDirectoryAccount(userID: agent.id, dn: "uid=yann,dc=x", groups: [])
        #expect(try await db.user(id: agent.id)?.isDisabled == true, "disabled by an administrator, not by the sync")
        #expect(try await db.directoryAccounts().map(\.account.login) == ["yann"])
    }

    @Test(arguments: StoreBackends.all) func signInLogIsPurgedWithTheActivityLog(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        try await db.recordSignIn(SignInEvent(method: "directory", login: "old", address: "10.0.0.1", success: false,
                                              reason: "wrong password", at: Town.day(100)))
        try await db.recordSignIn(SignInEvent(method: "local", login: "recent", address: "10.0.0.2", success: true, at: Town.day(1)))
        #expect(try await db.signIns(failuresOnly: true).map(\.login) == ["old"])
        try await db.purgeActivity(olderThanDays: 90, now: Town.now)
        let kept = try await db.signIns()
        #expect(kept.map(\.login) == ["recent"] && kept.first?.method == "local" && kept.first?.address == "10.0.0.2")
    }
}
