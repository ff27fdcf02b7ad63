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

/// One real LemonLDAP::NG for the suite (Debian's package, run headless on loopback) with two relying
/// parties: `kiosque` (userinfo as JSON, groups) and `kiosque-pc` (ProConnect's claims, userinfo as a JWT).
struct LemonLDAPProvider: SuiteTrait, TestScoping {
    @TaskLocal static var server: LemonLDAPServer?
    static let portal = "http://kiosque.test"

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Perl's start-up takes seconds of polling: off the threads concurrent tests run on.
        let server = try await blockingWork { try LemonLDAPServer(relyingParties: [
            .init(clientID: "kiosque", secret: "llng-secret", redirectURI: Self.portal + "/connexion/oidc/llng/retour",
                  postLogoutRedirectURI: Self.portal + "/connexion"),
            .init(clientID: "kiosque-pc", secret: "pc-secret", redirectURI: Self.portal + "/connexion/oidc/pc/retour",
                  postLogoutRedirectURI: Self.portal + "/connexion", signedUserinfo: true, proConnectClaims: true),
        ]) }
        defer { server.shutdown() }
        try await Self.$server.withValue(server) { try await function() }
    }
}

@Suite("Sign-in with OpenID Connect (real LemonLDAP::NG)", .serialized, .timeLimit(.minutes(5)), LemonLDAPProvider())
struct OIDCSignInTests {
    let provider: LemonLDAPServer

    init() throws {
        provider = try #require(LemonLDAPProvider.server)
    }

    /// The web fixture with `auth.oidc`: `llng` (generic: groups claim, a department for LLNG's group
    /// `timelords`) and `pc` (the ProConnect preset on the same provider).
    func portal(llng: (inout PortalConfiguration.OIDCProvider) -> Void = { _ in }, twoFactor: PortalConfiguration.TwoFactor.Requirement = .none,
                localAccounts: Bool = true) async throws -> WebFixture {
        let folder = NSTemporaryDirectory() + "kiosque-oidc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "llng-secret\n".write(toFile: folder + "/llng", atomically: true, encoding: .utf8)
        try "pc-secret\n".write(toFile: folder + "/pc", atomically: true, encoding: .utf8)
        let issuer = provider.issuer
        return try await WebFixture.make { configuration in
            configuration.portal.baseURL = LemonLDAPProvider.portal
            var generic = PortalConfiguration.OIDCProvider()
            generic.id = "llng"
            generic.title = "LemonLDAP::NG"
            generic.issuer = issuer
            generic.clientID = "kiosque"
            generic.clientSecret = .file(folder + "/llng")
            generic.groupsClaim = "groups"
            generic.acrValues = ["eidas1"]
            llng(&generic)
            var proConnect = PortalConfiguration.OIDCProvider()
            proConnect.id = "pc"
            proConnect.preset = "proconnect"
            proConnect.title = "ProConnect"
            proConnect.issuer = issuer
            proConnect.clientID = "kiosque-pc"
            proConnect.clientSecret = .file(folder + "/pc")
            proConnect.scopes = ["openid", "email", "given_name", "usual_name", "uid", "siret", "organizational_unit"]
            proConnect.loginClaim = "uid"
            proConnect.nameClaim = "given_name usual_name"
            proConnect.groupsClaim = "organizational_unit"
            proConnect.acrValues = ["eidas1"]
            proConnect.mfaACRValues = ["eidas2", "eidas3"]
            configuration.auth.oidc = [generic, proConnect]
            configuration.auth.localAccounts = localAccounts
            configuration.auth.twoFactor.requiredFor = twoFactor
            configuration.catalog.departments = [DepartmentDefinition(id: "tardis", title: "Tardis", groups: ["timelords"])]
        }
    }

    /// The whole browser round: the portal's button, the provider's login form, back to the callback.
    /// Returns the callback's answer and the provider's redirect to the portal.
    func signIn(_ client: some TestClientProtocol, _ browser: inout Browser, provider id: String = "llng", user: String = "dwho",
                at llng: LemonLDAPServer.Browser? = nil, tamper: (String) -> String = { $0 }) async throws -> (HummingbirdTesting.TestResponse, String) {
        let start = try await browser.get(client, "/connexion/oidc/\(id)?retour=/recherche")
        #expect(start.status == .seeOther)
        let authorize = try #require(start.headers[.location])
        #expect(authorize.hasPrefix(provider.issuer + "oauth2/authorize?"))
        let back = try (llng ?? LemonLDAPServer.Browser()).signIn(authorizeURL: authorize, user: user, password: user)
        #expect(back.hasPrefix(LemonLDAPProvider.portal + "/connexion/oidc/\(id)/retour?"), "\(back)")
        let path = tamper(String(back.dropFirst(LemonLDAPProvider.portal.count)))
        return (try await browser.get(client, path), authorize)
    }

    static func query(_ url: String) -> [String: String] {
        Dictionary((URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    @Test func agentSignsInAndTheAccountIsMadeFromTheClaims() async throws {
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let page = try await browser.get(client, "/connexion")
            #expect(page.body.string.contains("action=\"/connexion/oidc/llng\""))
            #expect(page.body.string.contains("Se connecter avec LemonLDAP::NG"))
            let (callback, authorize) = try await signIn(client, &browser)
            let query = Self.query(authorize)
            #expect(query["code_challenge_method"] == "S256" && (query["code_challenge"]?.count ?? 0) == 43)
            #expect((query["state"]?.count ?? 0) >= 32 && (query["nonce"]?.count ?? 0) >= 32 && query["state"] != query["nonce"])
            #expect(query["acr_values"] == "eidas1" && query["scope"] == "openid profile email")
            #expect(query["redirect_uri"] == LemonLDAPProvider.portal + "/connexion/oidc/llng/retour")
            #expect(callback.status == .seeOther)
            #expect(callback.headers[.location] == "/recherche")
            #expect(callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            #expect(callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_oidc=;") || $0.hasPrefix("kiosque_oidc=") && $0.contains("1970") })
            let home = try await browser.get(client, "/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Doctor Who"))
        }
        let agent = try #require(try await store.user(login: "dwho"))
        #expect(agent.name == "Doctor Who" && agent.email == "dwho@badwolf.org" && agent.passwordHash == nil)
        #expect(try await store.memberships(userID: agent.id).map(\.departmentID) == ["tardis"], "LLNG's group timelords")
        #expect(try await store.oidcIdentities(userID: agent.id).map { "\($0.provider) \($0.subject)" } == ["llng dwho"])
        let log = try #require(try await store.signIns().first)
        #expect(log.method == "oidc" && log.provider == "llng" && log.success && log.login == "dwho" && log.reason == "account created")
    }

    @Test func proConnectStyleProviderAnswersUserinfoAsASignedJWT() async throws {
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let page = try await browser.get(client, "/connexion")
            #expect(page.body.string.contains("class=\"proconnect-button\""))
            #expect(page.body.string.contains("S’identifier avec") && page.body.string.contains("Qu’est-ce que ProConnect ?"))
            let (callback, authorize) = try await signIn(client, &browser, provider: "pc")
            let query = Self.query(authorize)
            #expect(query["acr_values"] == nil, "ProConnect's level goes in the claims parameter")
            let claims = try #require(query["claims"])
            #expect(claims.contains("\"acr\":{\"essential\":true,\"values\":[\"eidas1\"]}") && claims.contains("\"amr\":{\"essential\":true}"))
            #expect(query["scope"] == "openid email given_name usual_name uid siret organizational_unit")
            #expect(callback.status == .seeOther, "\(callback.body.string.prefix(300))")
        }
        let agent = try #require(try await store.user(login: "dwho"))
        #expect(agent.name == "Doctor Who", "given_name and usual_name from the signed userinfo")
        #expect(agent.email == "dwho@badwolf.org")
        #expect(try await store.oidcIdentities(userID: agent.id).map(\.provider) == ["pc"])
    }

    @Test func aWeakerLevelThanAskedIsRefused() async throws {
        let fixture = try await portal(llng: { $0.acrValues = ["eidas2"] })
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let (callback, _) = try await signIn(client, &browser)
            #expect(callback.status == .forbidden)
            #expect(callback.body.string.contains("niveau d’authentification demandé"))
            #expect(!callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
        }
        #expect(try await store.user(login: "dwho") == nil)
        let log = try #require(try await store.signIns().first)
        #expect(!log.success && log.provider == "llng" && log.reason == "authentication level eidas1 weaker than eidas2")
    }

    @Test func aStateThatDoesNotMatchIsRefused() async throws {
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let (callback, _) = try await signIn(client, &browser) { path in
                path.replacingOccurrences(of: "state=", with: "state=x")
            }
            #expect(callback.status == .badRequest)
            #expect(!callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            // A callback in a browser that started nothing (a link sent by someone else) is refused too.
            var stranger = Browser()
            _ = try await signIn(client, &browser)
            let replay = try await stranger.get(client, "/connexion/oidc/llng/retour?code=abc&state=def")
            #expect(replay.status == .badRequest)
            #expect(replay.body.string.contains("commencée dans un autre navigateur"))
        }
        let reasons = try await store.signIns().compactMap(\.reason)
        #expect(reasons.contains("state mismatch"))
        #expect(reasons.contains("no sign-in under way in this browser (expired, or started elsewhere)"))
    }

    @Test func anExistingAccountWithTheSameEmailIsNotTakenOver() async throws {
        let fixture = try await portal()
        let store = fixture.store
        let hash = await AccountTools.hashPassword("local-password-1")
        let local = try await store.createUser(NewUser(login: "dwho", name: "Local Who", email: "dwho@badwolf.org", passwordHash: hash))
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let (callback, _) = try await signIn(client, &browser)
            #expect(callback.status == .seeOther)
            let account = try await browser.get(client, "/compte")
            #expect(account.body.string.contains("dwho@llng"), "a new account, not the local one")

            // The administrator binds the identity to the local account instead (CSRF-protected).
            let created = try #require(try await store.user(login: "dwho@llng"))
            var admin = Browser()
            _ = try await admin.signIn(client, login: "alice")
            let users = try await admin.get(client, "/admin/utilisateurs")
            #expect(users.body.string.contains("/admin/utilisateurs/\(local.id)/oidc"))
            let page = try await admin.get(client, "/admin/utilisateurs/\(created.id)/oidc")
            #expect(page.body.string.contains("<code>dwho</code>"))
            let token = try #require(Browser.csrf(in: page.body.string))
            let forged = try await admin.post(client, "/admin/utilisateurs/\(created.id)/oidc/delier", [("provider", "llng")])
            #expect(forged.status == .forbidden, "no CSRF token, no change")
            let unlink = try await admin.post(client, "/admin/utilisateurs/\(created.id)/oidc/delier", [("_csrf", token), ("provider", "llng")])
            #expect(unlink.status == .seeOther)
            let link = try await admin.post(client, "/admin/utilisateurs/\(local.id)/oidc/lier",
                                            [("_csrf", token), ("provider", "llng"), ("subject", "dwho")])
            #expect(link.status == .seeOther)

            var again = Browser()
            let (second, _) = try await signIn(client, &again)
            #expect(second.status == .seeOther)
            let mine = try await again.get(client, "/compte")
            #expect(mine.body.string.contains("(dwho)"), "now the bound local account")
        }
        let bound = try #require(try await store.user(id: local.id))
        #expect(bound.passwordHash == hash, "the local password stays")
        #expect(bound.name == "Doctor Who", "the provider's name, as at every sign-in")
        #expect(try await store.oidcIdentities(userID: local.id).map(\.subject) == ["dwho"])
        #expect(try await store.signIns().contains { $0.method == "oidc_link" && $0.login == "dwho" })
    }

    @Test func aProviderThatDoesNotAnswerIsSaidSoAndLogged() async throws {
        let fixture = try await portal(llng: { $0.issuer = "http://127.0.0.1:1/" })  // nothing listens on port 1
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let start = try await browser.get(client, "/connexion/oidc/llng")
            #expect(start.status == .badGateway)
            #expect(start.body.string.contains("ne répond pas pour le moment"))
            #expect(try await browser.get(client, "/connexion/oidc/inconnu").status == .notFound)
        }
        let log = try #require(try await store.signIns().first)
        #expect(!log.success && log.method == "oidc" && log.provider == "llng" && log.reason?.hasPrefix("provider unreachable: discovery") == true)
    }

    @Test func disabledAccountsAreRefused() async throws {
        let fixture = try await portal()
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await signIn(client, &browser)
            let agent = try #require(try await store.user(login: "dwho"))
            var disable = UserUpdate()
            disable.isDisabled = true
            _ = try await store.updateUser(id: agent.id, disable)
            var later = Browser()
            let (callback, _) = try await signIn(client, &later)
            #expect(callback.status == .forbidden)
            #expect(!callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
        }
        #expect(try await store.signIns().first?.reason == "account disabled")
    }

    @Test func signOutGoesThroughTheProvidersEndSessionWithTheIDToken() async throws {
        let fixture = try await portal()
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let llng = try LemonLDAPServer.Browser()
            _ = try await signIn(client, &browser, at: llng)
            let token = try await browser.csrf(client)
            let out = try await browser.post(client, "/deconnexion", [("_csrf", token)])
            #expect(out.status == .seeOther)
            let location = try #require(out.headers[.location])
            #expect(location.hasPrefix(provider.issuer + "oauth2/logout?"))
            let query = Self.query(location)
            let hint = try #require(query["id_token_hint"])
            #expect(hint.split(separator: ".").count == 3)
            #expect(query["post_logout_redirect_uri"] == LemonLDAPProvider.portal + "/connexion")
            #expect(try await browser.get(client, "/compte").status != .ok, "the portal's session is over")
            // The provider accepts the hint and sends the browser back to the portal.
            let logout = try llng.get(location)
            #expect(logout.location?.hasPrefix(LemonLDAPProvider.portal + "/connexion") == true, "\(logout.status) \(logout.body.prefix(200))")
        }
    }

    @Test func multiFactorAtTheProviderSkipsTheSecondStepOtherwiseTheLocalPolicyApplies() async throws {
        let plain = try await portal(twoFactor: .everyone)
        try await plain.application().test(.router) { client in
            var browser = Browser()
            let (callback, _) = try await signIn(client, &browser)
            #expect(callback.headers[.location] == "/connexion/double-authentification", "eidas1 is one factor: enrol first")
            #expect(!callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
        }
        let trusting = try await portal(llng: { $0.mfaACRValues = ["eidas1"] }, twoFactor: .everyone)
        let store = trusting.store
        try await trusting.application().test(.router) { client in
            var browser = Browser()
            let (callback, _) = try await signIn(client, &browser)
            #expect(callback.headers[.location] == "/recherche")
            #expect(callback.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
        }
        #expect(try await store.signIns().first?.reason == "account created")
    }
}
