import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

@Suite("Sign-in, sessions and refusals")
struct AuthTests {
    @Test(arguments: StoreBackends.all) func anonymousVisitorIsSentToSignIn(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            for path in ["/", "/catalogue", "/canaux/securite", "/recherche?q=x", "/compte"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/connexion?retour=") == true, "\(path)")
            }
        }
    }

    @Test(arguments: StoreBackends.all) func signInSignOutRoundTrip(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let signIn = try await browser.signIn(client, login: "alice")
            #expect(signIn.status == .seeOther)
            #expect(signIn.headers[.location] == "/")
            let cookie = try #require(signIn.headers[values: .setCookie].first { $0.hasPrefix("kiosque_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            let home = try await browser.get(client, "/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Sécurité"))
            let token = try #require(Browser.csrf(in: home.body.string))
            let out = try await browser.post(client, "/deconnexion", [("_csrf", token)])
            #expect(out.status == .seeOther)
            #expect(try await browser.get(client, "/").status == .seeOther)
        }
    }

    @Test(arguments: StoreBackends.all) func sessionSurvivesARestartOfTheServer(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let signedIn = try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "alice")
            return browser
        }
        // A second server on the same data folder and store: the same cookie still works.
        let restarted = try await WebServer(configuration: fixture.live, store: fixture.store, scheduler: nil,
                                            options: .init(dataDirectory: fixture.dataDirectory), logger: .init(label: "t"))
        try await Application(router: restarted.routes).test(.router) { client in
            var browser = signedIn
            let home = try await browser.get(client, "/")
            #expect(home.status == .ok)
        }
    }

    @Test(arguments: StoreBackends.all) func wrongPasswordAndUnknownLoginLookTheSame(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            let wrong = try await browser.signIn(client, login: "alice", password: "mauvais-mot-de-passe")
            var other = Browser()
            let unknown = try await other.signIn(client, login: "personne", password: "mauvais-mot-de-passe")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body.string.contains("Identifiant ou mot de passe incorrect."))
            #expect(unknown.body.string.contains("Identifiant ou mot de passe incorrect."))
            #expect(!wrong.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
        }
    }

    @Test(arguments: StoreBackends.all) func repeatedFailuresAreThrottledWithAClearMessage(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            for _ in 0..<5 { _ = try await browser.signIn(client, login: "bruno", password: "non-non-non-non") }
            let blocked = try await browser.signIn(client, login: "bruno")  // even the right password waits
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Trop de tentatives"))
        }
    }

    /// Behind the intranet's reverse proxy every agent has the proxy's address: the throttle then
    /// counts the address the trusted proxy forwards, and ignores what an untrusted peer claims.
    @Test(arguments: StoreBackends.all) func addressThrottleUsesTheAddressATrustedProxyForwards(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { $0.auth.trustedProxies = ["127.0.0.1"] }
        try await fixture.application().test(.live) { client in
            let forwarded = HTTPField.Name("X-Forwarded-For")!
            for n in 0..<20 {
                var guesser = Browser()
                _ = try await guesser.signIn(client, login: "inconnu\(n)", password: "non-non-non-non", extra: [forwarded: "192.0.2.1, 10.0.0.66"])
            }
            var attacker = Browser(), colleague = Browser()
            let blocked = try await attacker.signIn(client, login: "alice", extra: [forwarded: "10.0.0.66"])
            #expect(blocked.status == .tooManyRequests)
            let fine = try await colleague.signIn(client, login: "bruno", extra: [forwarded: "10.0.0.7"])
            #expect(fine.status == .seeOther, "another agent behind the same proxy still signs in")
        }
    }

    @Test(arguments: StoreBackends.all) func signInWithoutCSRFTokenIsRefused(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.get(client, "/connexion")
            let forged = try await browser.post(client, "/connexion", [("login", "alice"), ("password", WebFixture.password)])
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post(client, "/connexion", [("_csrf", "AAAA"), ("login", "alice"), ("password", WebFixture.password)])
            #expect(wrong.status == .forbidden)
        }
    }

    @Test(arguments: StoreBackends.all) func stateChangesNeedTheSessionsToken(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var alice = Browser(), bruno = Browser()
            _ = try await alice.signIn(client, login: "alice")
            _ = try await bruno.signIn(client, login: "bruno")
            let brunoToken = try await bruno.csrf(client)
            // Bruno's token is worthless in Alice's session.
            let refused = try await alice.post(client, "/catalogue/canaux/collectivites/abonner", [("_csrf", brunoToken)])
            #expect(refused.status == .forbidden)
            let missing = try await alice.post(client, "/compte/deconnexion-partout", [])
            #expect(missing.status == .forbidden)
            // A cross-site Origin is refused even with the right token.
            let aliceToken = try await alice.csrf(client)
            let crossSite = try await alice.post(client, "/catalogue/canaux/collectivites/abonner", [("_csrf", aliceToken)],
                                                 extra: [.origin: "https://evil.example"])
            #expect(crossSite.status == .forbidden)
        }
    }

    @Test(arguments: StoreBackends.all) func singleSignOnHeaderFromAnUntrustedPeerIsIgnored(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { config in
            config.auth.userHeader = "Remote-User"
            config.auth.trustedProxies = ["10.1.2.3"]
        }
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("Remote-User")!: "alice"])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/connexion") == true)
        }
    }

    @Test(arguments: StoreBackends.all) func securityHeadersOnEveryResponse(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            for path in ["/connexion", "/", "/nexiste-pas", "/static/kiosque.css"] {
                let response = try await client.execute(uri: path, method: .get)
                let csp = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            }
        }
    }
}

@Suite("Single sign-on through a trusted proxy")
struct SingleSignOnTests {
    @Test(arguments: StoreBackends.all) func trustedProxyCreatesTheAgentWithGroupBouquets(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { config in
            config.auth.userHeader = "Remote-User"
            config.auth.nameHeader = "Remote-Name"
            config.auth.groupsHeader = "Remote-Groups"
            config.auth.trustedProxies = ["127.0.0.1"]
        }
        let store = fixture.store
        try await fixture.application().test(.live) { client in
            let headers: HTTPFields = [HTTPField.Name("Remote-User")!: "denise", HTTPField.Name("Remote-Name")!: "Denise Leroy",
                                       HTTPField.Name("Remote-Groups")!: "urbanisme, agents"]
            let home = try await client.execute(uri: "/", method: .get, headers: headers)
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Denise Leroy"))
            #expect(home.body.string.contains("Le conseil municipal vote le budget"), "bouquet of the urbanisme group")
            #expect(home.body.string.contains("Faille critique"), "default bouquet")
            #expect(home.headers[values: .setCookie].contains { $0.hasPrefix("kiosque_session=") })
            let denise = try #require(try await store.user(login: "denise"))
            #expect(denise.passwordHash == nil)
        }
    }
}
