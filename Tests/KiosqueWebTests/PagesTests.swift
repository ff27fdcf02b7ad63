import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStoreContract
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

@Suite("Agents' pages")
struct PagesTests {
    @Test(arguments: StoreBackends.all) func homeShowsSubscribedChannelsAndEscapesTitles(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let home = try await browser.get(client, "/")
            let html = home.body.string
            #expect(html.contains("<html lang=\"fr\">"))
            #expect(html.contains("Faille critique dans un pare-feu"))
            #expect(html.contains("Bulletin &lt;hebdomadaire&gt; &amp; &quot;sécurité&quot;"))
            #expect(!html.contains("Le conseil municipal vote le budget"), "not subscribed to collectivites")
            #expect(html.contains("2 non lus"))
            #expect(html.contains("class=\"skip-link\" href=\"#contenu\""))
        }
    }

    @Test(arguments: StoreBackends.all) func englishByAcceptLanguageAndByChoice(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser(acceptLanguage: "en-GB,en;q=0.9,fr;q=0.5")
            let login = try await browser.get(client, "/connexion")
            #expect(login.body.string.contains("<html lang=\"en\">"))
            #expect(login.body.string.contains("Sign in"))
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            _ = try await browser.post(client, "/compte/preferences", [("_csrf", token), ("language", "fr"), ("layout", "grouped"), ("digest", "daily")])
            let home = try await browser.get(client, "/")
            #expect(home.body.string.contains("Ma page"))
        }
    }

    @Test(arguments: StoreBackends.all) func subscribeThroughTheCatalogue(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let catalogue = try await browser.get(client, "/catalogue")
            #expect(catalogue.body.string.contains("Source officielle"))
            let token = try #require(Browser.csrf(in: catalogue.body.string))
            let done = try await browser.post(client, "/catalogue/bouquets/vie-locale/abonner", [("_csrf", token)])
            #expect(done.status == .seeOther)
            #expect(try await browser.get(client, "/").body.string.contains("Le conseil municipal vote le budget"))
            let unknown = try await browser.post(client, "/catalogue/canaux/inconnu/abonner", [("_csrf", token)])
            #expect(unknown.status == .notFound)
        }
    }

    @Test(arguments: StoreBackends.all) func readingAnItemMarksItReadForThatAgentOnly(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let id = try await fixture.itemID("a1")
        try await fixture.application().test(.router) { client in
            var alice = Browser(), bruno = Browser()
            _ = try await alice.signIn(client, login: "alice")
            _ = try await bruno.signIn(client, login: "bruno")
            let page = try await alice.get(client, "/articles/\(id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("<strong>correctifs</strong>"))
            #expect(page.body.string.contains("href=\"https://cert.example.org/a1\""))
            #expect(try await alice.get(client, "/").body.string.contains("1 non lus"))
            #expect(try await bruno.get(client, "/").body.string.contains("2 non lus"))
            #expect(try await alice.get(client, "/articles/999999").status == .notFound)
        }
    }

    @Test(arguments: StoreBackends.all) func markReadAndStarWithAndWithoutJavaScript(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let id = try await fixture.itemID("a2")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            let plain = try await browser.post(client, "/articles/\(id)/garder", [("_csrf", token), ("retour", "/canaux/securite")])
            #expect(plain.status == .seeOther)
            #expect(plain.headers[.location] == "/canaux/securite")
            let offsite = try await browser.post(client, "/articles/\(id)/lu", [("_csrf", token), ("retour", "//evil.example/")])
            #expect(offsite.headers[.location] == "/articles/\(id)")
            let json = try await browser.post(client, "/articles/\(id)/non-lu", [("_csrf", token)], extra: [.accept: "application/json"])
            #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(json.body.string.contains("\"read\":false"))
            let channel = try await browser.get(client, "/canaux/securite")
            #expect(channel.body.string.contains("Ne plus garder"))
        }
    }

    @Test(arguments: StoreBackends.all) func searchFindsAccentedAndPluralFormsWithHighlights(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "alice")
            let results = try await browser.get(client, "/recherche?q=deliberation")
            #expect(results.status == .ok)
            #expect(results.body.string.contains("Faille critique dans un pare-feu"))
            #expect(results.body.string.contains("<mark>"))
            let bad = try await browser.get(client, "/recherche?q=%22non%20ferm%C3%A9")
            #expect(bad.status == .badRequest || bad.status == .ok)
            #expect(!bad.body.string.contains("Internal"))
        }
    }

    /// Past the ranked window the count is a lower bound, and the page says so.
    @Test func aSearchPastTheWindowSaysMoreThan() async throws {
        let fixture = try await WebFixture.make()
        let now = Date()
        let items = (0...SearchTuning.window).map { n in
            PreparedItem(item: ParsedItem(id: "piscine-\(n)", title: "Piscine : avis \(n)", link: "https://presse.example.org/piscine/\(n)",
                                          published: now.addingTimeInterval(-Double(n) * 60), summary: "Horaires de la piscine."),
                         contentText: "Horaires de la piscine.")
        }
        _ = try await fixture.store.ingest(sourceID: "presse", items: items, fetchedAt: now)
        let token = try await NewcomerTests.apiToken(fixture, login: "alice")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "alice")
            let many = try await browser.get(client, "/recherche?q=piscine")
            #expect(many.body.string.contains(">plus de \(SearchTuning.window) résultats</h2>"))
            let one = try await browser.get(client, "/recherche?q=%22avis%2017%22")
            #expect(one.body.string.contains(">1 résultat</h2>"))
            // The API says it too.
            for (q, exact) in [("piscine", false), ("%22avis%2017%22", true)] {
                let api = try await client.execute(uri: "/api/v1/search?q=\(q)", method: .get, headers: [.authorization: "Bearer \(token)"])
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
                #expect(json["total_is_exact"] as? Bool == exact, "\(q)")
            }
        }
    }

    @Test(arguments: StoreBackends.all) func accountTokenIsShownOnceAndWorksForTheAPI(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let token = try await browser.csrf(client)
            let page = try await browser.post(client, "/compte/jeton", [("_csrf", token)])
            #expect(page.body.string.contains("class=\"token\""))
            let again = try await browser.get(client, "/compte")
            #expect(!again.body.string.contains("class=\"token\""))
        }
    }
}
