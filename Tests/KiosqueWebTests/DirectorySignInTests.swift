import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueConfig
import KiosqueIdentity
import KiosqueModel
import KiosqueStore
@testable import KiosqueWeb
import KiosqueTestServer
import Testing

/// One real slapd for the suite; each test adds its own agents so that tests never share one.
struct WebTownHall: SuiteTrait, TestScoping {
    @TaskLocal static var server: SlapdServer?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await SlapdServer.startTownHall()
        defer { server.shutdown() }
        try await Self.$server.withValue(server) { try await function() }
    }
}

@Suite("Sign-in through the directory (real slapd)", .serialized, .timeLimit(.minutes(3)), WebTownHall())
struct DirectorySignInTests {
    let slapd: SlapdServer

    init() throws {
        slapd = try #require(WebTownHall.server)
    }

    /// The web fixture (local administrator alice, agent bruno) with `auth.ldap` on the suite's
    /// slapd, a department mapped by the group's full DN and a bouquet by its CN.
    func portal(url: String? = nil, localAccounts: Bool = true) async throws -> WebFixture {
        let secret = NSTemporaryDirectory() + "kiosque-ldap-secret-\(UUID().uuidString)"
        try "kiosque-pw\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let suffix = slapd.suffix, ldapURL = url ?? slapd.url
        return try await WebFixture.make { configuration in
            var ldap = PortalConfiguration.Directory()
            ldap.url = ldapURL
            ldap.bindDN = "cn=kiosque,ou=services,\(suffix)"
            ldap.bindPassword = .file(secret)
            ldap.baseDN = "ou=agents,\(suffix)"
            ldap.userFilter = "(&(objectClass=inetOrgPerson)(uid={login})(!(employeeType=disabled)))"
            ldap.groupsAttribute = "memberOf"
            ldap.connectTimeout = 2
            ldap.timeout = 2
            configuration.auth.ldap = ldap
            configuration.auth.localAccounts = localAccounts
            configuration.catalog.departments = [
                DepartmentDefinition(id: "urbanisme", title: "Urbanisme", groups: ["CN=Urbanisme,OU=Groups,DC=ville,DC=local"]),
            ]
        }
    }

    /// Adds a person to the directory, optionally in cn=urbanisme.
    func hire(_ uid: String, _ name: String, urbanisme: Bool = false) throws {
        try slapd.add(SlapdServer.person(uid, name, suffix: slapd.suffix))
        if urbanisme { try join(uid) }
    }

    func join(_ uid: String) throws {
        try slapd.modify("""
            dn: cn=urbanisme,ou=groups,\(slapd.suffix)
            changetype: modify
            add: member
            member: uid=\(uid),ou=agents,\(slapd.suffix)
            """)
    }

    @Test func agentLandsOnAMaPageSetByTheirGroups() async throws {
        try hire("denise", "Denise Roy", urbanisme: true)
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let signIn = try await browser.signIn(client, login: "denise", password: "denise-pw")
            #expect(signIn.status == .seeOther)
            #expect(signIn.headers[.location] == "/")
            let home = try await browser.get(client, "/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Collectivités"), "the bouquet of group `urbanisme` (matched by CN)")
            #expect(home.body.string.contains("Sécurité"), "the default bouquet")
        }
        let denise = try #require(try await store.user(login: "denise"))
        #expect(denise.name == "Denise Roy" && denise.email == "denise@ville.local")
        #expect(denise.passwordHash == nil, "the directory keeps the password")
        #expect(try await store.memberships(userID: denise.id).map(\.departmentID) == ["urbanisme"], "matched by full DN")
        #expect(Set(try await store.subscriptions(userID: denise.id).map(\.id)) == ["securite", "collectivites"])
        #expect(try await store.directoryLink(userID: denise.id)?.dn == "uid=denise,ou=agents,dc=ville,dc=local")
        let log = try await store.signIns()
        #expect(log.first?.method == "directory" && log.first?.success == true && log.first?.login == "denise")
    }

    @Test func refusalsCreateNoAccountAndAreLogged() async throws {
        try hire("edith", "Edith Blanc")
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            for (login, password) in [("edith", "wrong-pw"), ("edith", ""), ("*)(uid=*", "edith-pw"), ("*", "edith-pw"),
                                      ("nobody", "x"), ("carole", "carole-pw")] {
                var browser = Browser()
                let response = try await browser.signIn(client, login: login, password: password)
                #expect(response.status == .unauthorized, "\(login)")
                #expect(response.body.string.contains("Identifiant ou mot de passe incorrect."))
                #expect(!response.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            }
        }
        #expect(try await store.user(login: "edith") == nil)
        #expect(try await store.user(login: "carole") == nil, "carole fails the filter: disabled in the directory")
        let reasons = try await store.signIns().reversed().map { "\($0.method) \($0.login): \($0.reason ?? "ok")" }
        #expect(reasons == [
            "directory edith: wrong password", "directory edith: empty password",
            "directory *)(uid=*: unknown or disabled in the directory", "directory *: unknown or disabled in the directory",
            "directory nobody: unknown or disabled in the directory", "directory carole: unknown or disabled in the directory",
        ])
    }

    @Test func nextSignInUpdatesNameEmailAndGroups() async throws {
        try hire("fabien", "Fabien Noir")
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let response = try await browser.signIn(client, login: "fabien", password: "fabien-pw")
            #expect(response.status == .seeOther)
        }
        let before = try #require(try await store.user(login: "fabien"))
        #expect(try await store.memberships(userID: before.id).isEmpty)
        #expect(try await store.subscriptions(userID: before.id).map(\.id) == ["securite"])
        try slapd.modify("""
            dn: uid=fabien,ou=agents,\(slapd.suffix)
            changetype: modify
            replace: displayName
            displayName: Fabien Noir-Leroy
            -
            replace: mail
            mail: fabien.noir@ville.local
            """)
        try join("fabien")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let response = try await browser.signIn(client, login: "fabien", password: "fabien-pw")
            #expect(response.status == .seeOther)
        }
        let after = try #require(try await store.user(login: "fabien"))
        #expect(after.id == before.id)
        #expect(after.name == "Fabien Noir-Leroy" && after.email == "fabien.noir@ville.local")
        #expect(try await store.memberships(userID: after.id).map(\.departmentID) == ["urbanisme"])
        #expect(Set(try await store.subscriptions(userID: after.id).map(\.id)) == ["securite", "collectivites"])
    }

    @Test func syncDisablesAnAgentGoneFromTheDirectoryAndDryRunChangesNothing() async throws {
        try hire("gaelle", "Gaëlle Brun", urbanisme: true)
        try hire("hugo", "Hugo Vert")
        let fixture = try await portal()
        let store = fixture.store
        let accounts = try #require(try DirectorySetup.settings(from: fixture.configuration).map {
            DirectoryAccounts(client: DirectoryClient(settings: $0), store: store)
        })
        let session = try await fixture.application().test(.router) { client in
            var gaelle = Browser()
            let gaelleResponse1 = try await gaelle.signIn(client, login: "gaelle", password: "gaelle-pw")
            #expect(gaelleResponse1.status == .seeOther)
            var hugo = Browser()
            let hugoResponse2 = try await hugo.signIn(client, login: "hugo", password: "hugo-pw")
            #expect(hugoResponse2.status == .seeOther)
            return gaelle
        }
        try slapd.delete("uid=gaelle,ou=agents,\(slapd.suffix)")
        try slapd.modify("""
            dn: uid=hugo,ou=agents,\(slapd.suffix)
            changetype: modify
            replace: mail
            mail: hugo.vert@ville.local
            """)
        let preview = try await accounts.sync(dryRun: true)
        #expect(preview.contains { $0.login == "gaelle" && $0.what == "disabled" })
        #expect(preview.contains { $0.login == "hugo" && $0.what == "email" && $0.detail.contains("hugo.vert@ville.local") })
        #expect(try await store.user(login: "gaelle")?.isDisabled == false, "--dry-run writes nothing")
        #expect(try await store.user(login: "hugo")?.email == "hugo@ville.local", "--dry-run writes nothing")
        let applied = try await accounts.sync()
        #expect(Set(applied) == Set(preview))
        #expect(try await store.user(login: "gaelle")?.isDisabled == true)
        #expect(try await store.user(login: "hugo")?.email == "hugo.vert@ville.local")
        #expect(try await accounts.sync().isEmpty, "a second sync has nothing left to do")
        try await fixture.application().test(.router) { client in
            var session = session
            let sessionResponse3 = try await session.get(client, "/")
            #expect(sessionResponse3.status == .seeOther, "the gone agent's session ended")
            var again = Browser()
            let againResponse4 = try await again.signIn(client, login: "gaelle", password: "gaelle-pw")
            #expect(againResponse4.status == .unauthorized)
        }
    }

    @Test func directoryDownIsSaidClearlyAndQuickly() async throws {
        let fixture = try await portal(url: "ldap://127.0.0.1:\(try reserveLoopbackPort())")
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let start = Date()
            let response = try await browser.signIn(client, login: "denise", password: "denise-pw")
            #expect(Date().timeIntervalSince(start) < 3)
            #expect(response.status == .serviceUnavailable)
            #expect(response.body.string.contains("L&#39;annuaire ne répond pas") || response.body.string.contains("L'annuaire ne répond pas"))
            // The local administrator still signs in.
            var admin = Browser()
            let adminResponse5 = try await admin.signIn(client, login: "alice")
            #expect(adminResponse5.status == .seeOther)
        }
        let log = try await store.signIns()
        #expect(log.contains { $0.method == "local" && $0.login == "alice" && $0.success })
        #expect(log.contains { $0.method == "directory" && $0.reason?.hasPrefix("directory unreachable") == true })
    }

    /// `local_accounts: false`: agents sign in through the directory only, but the local
    /// administrator still signs in with their password ("the first administrator may stay local").
    @Test func withoutLocalAccountsOnlyAdministratorsKeepTheirPassword() async throws {
        let fixture = try await portal(localAccounts: false)
        try await fixture.application().test(.router) { client in
            var admin = Browser()
            let adminResponse = try await admin.signIn(client, login: "alice")
            #expect(adminResponse.status == .seeOther)
            var agent = Browser()
            let agentResponse = try await agent.signIn(client, login: "bruno")
            #expect(agentResponse.status == .unauthorized, "a local agent's password is not taken")
        }
    }

    @Test func proxyGroupsMatchByCNTooAndTheSignInIsLogged() async throws {
        let fixture = try await WebFixture.make { config in
            config.auth.userHeader = "Remote-User"
            config.auth.groupsHeader = "Remote-Groups"
            config.auth.trustedProxies = ["127.0.0.1"]
        }
        let store = fixture.store
        try await fixture.application().test(.live) { client in
            // A full DN in the header meets the bouquet's `groups: [urbanisme]` by its CN.
            let headers: HTTPFields = [HTTPField.Name("Remote-User")!: "ines",
                                       HTTPField.Name("Remote-Groups")!: "CN=Urbanisme,OU=Groups,DC=ville,DC=local"]
            let home = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(home.status == .ok)
        }
        let ines = try #require(try await store.user(login: "ines"))
        #expect(Set(try await store.subscriptions(userID: ines.id).map(\.id)) == ["securite", "collectivites"])
        let log = try await store.signIns()
        #expect(log.count == 1 && log.first?.method == "proxy" && log.first?.login == "ines" && log.first?.success == true)
    }

    @Test func administratorsSeeTheSignInLogEscaped() async throws {
        let fixture = try await portal()
        try await fixture.application().test(.router) { client in
            var intruder = Browser()
            _ = try await intruder.signIn(client, login: "<script>x</script>", password: "x")
            var bruno = Browser()
            let brunoResponse6 = try await bruno.signIn(client, login: "bruno")
            #expect(brunoResponse6.status == .seeOther)
            let brunoResponse7 = try await bruno.get(client, "/admin/connexions")
            #expect(brunoResponse7.status == .forbidden)
            var admin = Browser()
            let adminResponse8 = try await admin.signIn(client, login: "alice")
            #expect(adminResponse8.status == .seeOther)
            let page = try await admin.get(client, "/admin/connexions")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("&lt;script&gt;x&lt;/script&gt;") && !html.contains("<script>x</script>"))
            #expect(html.contains("Mot de passe local") && html.contains("Annuaire"))
            let failures = try await admin.get(client, "/admin/connexions?echecs=1").body.string
            #expect(failures.contains("unknown or disabled in the directory") && !failures.contains(">bruno<"))
        }
    }
}
