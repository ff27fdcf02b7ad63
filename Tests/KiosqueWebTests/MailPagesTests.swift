import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueConfig
import KiosqueMail
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// The signed-in pages about e-mail: the digest preview on /compte and the bounce list on /admin.
@Suite("Mail pages")
struct MailPagesTests {
    static func withMail(_ configuration: inout PortalConfiguration) {
        configuration.portal.baseURL = "https://intranet.ville.example"
        configuration.mail.smtpURL = "smtp://127.0.0.1:1"
        configuration.mail.from = "Intranet <intranet@ville.example>"
    }

    @Test(arguments: StoreBackends.all) func digestPreviewIsTheMessageHTMLEscapedAndWithoutScript(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend, configure: Self.withMail)
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            #expect(try await bruno.get(client, "/compte").body.string.contains("href=\"/compte/resume\""))
            let preview = try await bruno.get(client, "/compte/resume")
            #expect(preview.status == .ok)
            let html = preview.body.string
            #expect(html.contains("Faille critique dans un pare-feu"))
            // A title with markup in it is shown as text, as in the message.
            #expect(html.contains("Bulletin &lt;hebdomadaire&gt; &amp; &quot;sécurité&quot;"))
            #expect(!html.contains("<hebdomadaire>"))
            #expect(!html.lowercased().contains("<script"))
            #expect(!html.lowercased().contains("<iframe"))
            #expect(html.contains("https://intranet.ville.example/courriel/desabonnement?u="))
            #expect(preview.headers[.contentSecurityPolicy] == MailPages.previewPolicy)
            #expect(preview.headers[.contentSecurityPolicy]?.contains("script") == false)
            // Other pages keep the portal's policy.
            #expect(try await bruno.get(client, "/compte").headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
        }
    }

    @Test(arguments: StoreBackends.all) func previewWithNothingNewOrWithoutMailSaysSo(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend, configure: Self.withMail)
        let hash = await AccountTools.hashPassword(WebFixture.password)
        _ = try await fixture.store.createUser(NewUser(login: "chloe", name: "Chloé", passwordHash: hash))  // follows nothing
        try await fixture.application().test(.router) { client in
            var chloe = Browser()
            _ = try await chloe.signIn(client, login: "chloe")
            let empty = try await chloe.get(client, "/compte/resume")
            #expect(empty.status == .seeOther)
            #expect(empty.headers[.location] == "/compte?resume=vide")
            #expect(try await chloe.get(client, "/compte?resume=vide").body.string.contains("Rien de nouveau depuis votre dernier résumé"))
        }
        let without = try await WebFixture.make(backend: backend)
        try await without.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            #expect(try await bruno.get(client, "/compte/resume").status == .notFound)
        }
    }

    @Test(arguments: StoreBackends.all) func adminSeesBouncingAddressesAndClearsOneWithACSRFToken(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend, configure: Self.withMail)
        try await fixture.store.markMailRefused(id: 0, reason: "550 5.1.1 <bruno@ville.example>: User unknown",
                                                bounceAddress: "bruno@ville.example")
        try await fixture.store.markMailRefused(id: 0, reason: "550 5.1.1 <ancien@ville.example>: User unknown",
                                                bounceAddress: "ancien@ville.example")
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            let brunoToken = try await bruno.csrf(client)
            #expect(try await bruno.post(client, "/admin/rebonds/effacer", [("_csrf", brunoToken), ("address", "bruno@ville.example")]).status
                    == .forbidden)

            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            let admin = try await alice.get(client, "/admin").body.string
            #expect(admin.contains("id=\"rebonds\""))
            #expect(admin.contains("bruno@ville.example"))
            #expect(admin.contains("550 5.1.1 &lt;bruno@ville.example&gt;: User unknown"))
            #expect(admin.contains("action=\"/admin/rebonds/effacer\""))
            // No token, no change.
            #expect(try await alice.post(client, "/admin/rebonds/effacer", [("address", "bruno@ville.example")]).status == .forbidden)
            #expect(try await store.mailBounces().count == 2)
            let token = try await alice.csrf(client)
            let cleared = try await alice.post(client, "/admin/rebonds/effacer", [("_csrf", token), ("address", "bruno@ville.example")])
            #expect(cleared.status == .seeOther)
            #expect(cleared.headers[.location] == "/admin?rebond=efface#rebonds")
            #expect(try await store.mailBounces().map(\.address) == ["ancien@ville.example"])
            #expect(try await alice.get(client, "/admin?rebond=efface").body.string.contains("Adresse effacée"))
            #expect(try await alice.post(client, "/admin/rebonds/effacer", [("_csrf", token), ("address", "personne@ville.example")]).status
                    == .notFound)
        }
    }

    @Test(arguments: StoreBackends.all) func accountsMadeByTheAdminFormAndBySingleSignOnGetTheDefaultDigest(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { config in
            Self.withMail(&config)
            config.mail.defaultDigest = "weekly"
            config.auth.userHeader = "Remote-User"
            config.auth.trustedProxies = ["127.0.0.1"]
        }
        let store = fixture.store
        try await fixture.application().test(.live) { client in
            let first = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("Remote-User")!: "denise"])
            #expect(first.status == .ok)
            #expect(try await store.user(login: "denise")?.digestFrequency == "weekly")
        }
        try await fixture.application().test(.router) { client in
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            let token = try await alice.csrf(client)
            #expect(try await alice.post(client, "/admin/utilisateurs", [("_csrf", token), ("login", "chloe")]).status == .ok)
            #expect(try await store.user(login: "chloe")?.digestFrequency == "weekly")
        }
        // Without the setting, new accounts get none.
        let plain = try await WebFixture.make(backend: backend)
        let plainStore = plain.store
        try await plain.application().test(.router) { client in
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            let token = try await alice.csrf(client)
            _ = try await alice.post(client, "/admin/utilisateurs", [("_csrf", token), ("login", "chloe")])
            #expect(try await plainStore.user(login: "chloe")?.digestFrequency == "never")
        }
    }

    @Test func agentOptsInToAChannelsAlertsAndLeavesThemInOneClick() async throws {
        let fixture = try await WebFixture.make { config in
            Self.withMail(&config)
            config.catalog.channels[0].alerts = true  // securite
        }
        let store = fixture.store
        let bruno = try #require(try await store.user(login: "bruno"))
        let signer = try #require(UnsubscribeSigner(keyFile: fixture.dataDirectory + "/kiosque.key"))
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            #expect(try await browser.get(client, "/compte").body.string.contains("href=\"/compte/alertes\""))
            let page = try await browser.get(client, "/compte/alertes").body.string
            #expect(page.contains("name=\"alerte-securite\""))
            #expect(!page.contains("alerte-collectivites"), "only channels marked alerts: true")
            #expect(try await browser.post(client, "/compte/alertes", [("alerte-securite", "on")]).status == .forbidden)
            #expect(try await store.mailAlerts(userID: bruno.id).isEmpty)
            let token = try await browser.csrf(client)
            let saved = try await browser.post(client, "/compte/alertes", [("_csrf", token), ("alerte-securite", "on"), ("alerte-collectivites", "on")])
            #expect(saved.status == .seeOther)
            #expect(try await store.mailAlerts(userID: bruno.id) == ["securite"])
            #expect(try await browser.get(client, "/compte/alertes").body.string.contains("name=\"alerte-securite\" checked"))

            // The alert's own one-click link: only that channel's alerts stop, not the digest.
            var update = UserUpdate()
            update.digestFrequency = "daily"
            try await store.updateUser(id: bruno.id, update)
            let path = signer.path(userID: bruno.id, kind: "alert:securite")
            #expect(try await client.execute(uri: path, method: .get).body.string.contains("« Sécurité »"), "the channel named by its title")
            let digestSigned = signer.path(userID: bruno.id, kind: "digest").replacingOccurrences(of: "k=digest", with: "k=alert:securite")
            #expect(try await client.execute(uri: digestSigned, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "List-Unsubscribe=One-Click")).status == .notFound,
                    "a digest signature does not unsubscribe from alerts")
            let post = try await client.execute(uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(post.status == .ok)
            #expect(try await store.mailAlerts(userID: bruno.id).isEmpty)
            #expect(try await store.user(id: bruno.id)?.digestFrequency == "daily")
        }
    }
}
