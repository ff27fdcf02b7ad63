import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// What a newcomer meets first (issue 13): the one-time set-up address, an empty portal that
/// explains itself, a multi-word search typed into the box, odd bytes in queries, 405s.
@Suite("A newcomer's first steps")
struct NewcomerTests {
    /// The fixture without any administrator (alice loses her flag), as on a first start.
    static func freshPortal() async throws -> WebFixture {
        let fixture = try await WebFixture.make()
        let alice = try #require(try await fixture.store.user(login: "alice"))
        var update = UserUpdate()
        update.isAdmin = false
        try await fixture.store.updateUser(id: alice.id, update)
        return fixture
    }

    /// A personal API token for an agent of the fixture.
    static func apiToken(_ fixture: WebFixture, login: String) async throws -> String {
        let (token, hash) = AccountTools.newAPIToken()
        let agent = try #require(try await fixture.store.user(login: login))
        var update = UserUpdate()
        update.apiTokenHash = .some(hash)
        try await fixture.store.updateUser(id: agent.id, update)
        return token
    }

    @Test func setUpAddressCreatesTheFirstAdministratorOnceAndSignsThemIn() async throws {
        let fixture = try await Self.freshPortal()
        let store = fixture.store
        let token = try #require(try await FirstRunSetup.prepare(store: fixture.store))
        #expect(token.count >= 22, "128 bits in URL-safe base64")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            #expect(try await browser.get(client, "/installation").status == .notFound)
            #expect(try await browser.get(client, "/installation?jeton=devine").status == .notFound)
            let form = try await browser.get(client, "/installation?jeton=\(token)")
            #expect(form.status == .ok)
            let csrf = try #require(Browser.csrf(in: form.body.string))
            func submit(_ password: String, confirm: String? = nil, login: String = "dsi") async throws -> TestResponse {
                try await browser.post(client, "/installation", [("_csrf", csrf), ("jeton", token), ("login", login), ("name", "Service informatique"),
                                                                 ("email", "dsi@ville.example"), ("password", password),
                                                                 ("password_confirm", confirm ?? password)])
            }
            let short = try await submit("court")
            #expect(short.status == .badRequest)
            #expect(short.body.string.contains("12 caractères"))
            #expect(try await submit("un-mot-de-passe-long", confirm: "autre-mot-de-passe-long").status == .badRequest)
            #expect(try await submit("un-mot-de-passe-long", login: "alice").status == .conflict)
            // Without the CSRF token the form is refused like any other.
            let forged = try await browser.post(client, "/installation", [("jeton", token), ("login", "pirate"), ("name", "P"),
                                                                           ("email", "p@x.example"), ("password", "un-mot-de-passe-long"),
                                                                           ("password_confirm", "un-mot-de-passe-long")])
            #expect(forged.status == .forbidden)
            let created = try await submit("un-mot-de-passe-long")
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/admin")
            let admin = try await browser.get(client, "/admin")
            #expect(admin.status == .ok, "signed in as the new administrator")
            // The address is void from now on, and so is any token printed later.
            var stranger = Browser()
            #expect(try await stranger.get(client, "/installation?jeton=\(token)").status == .notFound)
        }
        let account = try #require(try await fixture.store.user(login: "dsi"))
        #expect(account.isAdmin && account.name == "Service informatique")
        #expect(try await FirstRunSetup.prepare(store: store) == nil)
        #expect(try await store.user(login: "pirate") == nil)
    }

    @Test func setUpTokenExpiresAfterADayAndEachStartReplacesIt() async throws {
        let fixture = try await Self.freshPortal()
        let store = fixture.store
        let old = try #require(try await FirstRunSetup.prepare(store: fixture.store, now: Date().addingTimeInterval(-25 * 3_600)))
        #expect(try await !store.setupTokenIsValid(hash: Secrets.hash(old)), "expired after 24 h")
        let first = try #require(try await FirstRunSetup.prepare(store: fixture.store))
        let second = try #require(try await FirstRunSetup.prepare(store: fixture.store))
        #expect(try await !store.setupTokenIsValid(hash: Secrets.hash(first)))
        #expect(try await store.setupTokenIsValid(hash: Secrets.hash(second)))
        // An administrator made from the command line voids the printed address at once.
        let hash = await AccountTools.hashPassword(WebFixture.password)
        _ = try await fixture.store.createUser(NewUser(login: "root", passwordHash: hash, isAdmin: true))
        #expect(try await !store.setupTokenIsValid(hash: Secrets.hash(second)))
    }

    @Test func setUpAddressNamesTheListeningOrThePublicAddress() {
        #expect(FirstRunSetup.address(token: "T", host: "127.0.0.1", port: 8080, baseURL: "https://intranet.ville.fr/")
            == "http://127.0.0.1:8080/installation?jeton=T")
        #expect(FirstRunSetup.address(token: "T", host: "0.0.0.0", port: 8080, baseURL: "https://intranet.ville.fr/")
            == "https://intranet.ville.fr/installation?jeton=T")
        #expect(FirstRunSetup.address(token: "T", host: "::1", port: 80, baseURL: "") == "http://[::1]:80/installation?jeton=T")
    }

    @Test(arguments: StoreBackends.all) func anAgentWhoFollowsNothingIsSentToTheCatalogue(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let bruno = try #require(try await fixture.store.user(login: "bruno"))
        try await fixture.store.unsubscribe(userID: bruno.id, channelID: "securite")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            let home = try await browser.get(client, "/")
            #expect(home.status == .seeOther)
            #expect(home.headers[.location] == "/catalogue")
            let catalogue = try await browser.get(client, "/catalogue")
            #expect(catalogue.body.string.contains("Vous ne suivez encore aucun canal"))
            _ = try await browser.post(client, "/catalogue/canaux/securite/abonner", [("_csrf", try #require(Browser.csrf(in: catalogue.body.string)))])
            #expect(try await browser.get(client, "/").status == .ok)
            #expect(try await !browser.get(client, "/catalogue").body.string.contains("Vous ne suivez encore aucun canal"))
        }
    }

    @Test(arguments: StoreBackends.all) func anAdministratorSeesThatSourcesFailAndAnEmptyChannelSaysWhenItWasFetched(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend) { configuration in
            configuration.catalog.sources.append(SourceDefinition(id: "vide", url: "https://vide.example.org/rss"))
            configuration.catalog.channels.append(ChannelDefinition(id: "calme", title: "Calme", sources: ["vide"]))
        }
        _ = try await fixture.store.syncCatalog(fixture.configuration.catalog)
        let when = Date().addingTimeInterval(-300)
        for source in ["cert", "presse", "vide"] {
            try await fixture.store.recordAttempt(FetchAttempt(sourceID: source, startedAt: when, errorClass: .dns,
                                                               errorMessage: "could not resolve host"), nextAttemptAt: Date())
        }
        try await fixture.application().test(.router) { client in
            var admin = Browser()
            _ = try await admin.signIn(client, login: "alice")
            let home = try await admin.get(client, "/").body.string
            #expect(home.contains("Aucune source n’a pu être récupérée"))
            #expect(home.contains("href=\"/admin?etat=echec\""))
            let channel = try await admin.get(client, "/canaux/calme").body.string
            #expect(channel.contains("Dernière récupération de ses sources"))
            #expect(channel.contains("(1 en échec)"))
            var agent = Browser()
            _ = try await agent.signIn(client, login: "bruno")
            #expect(try await !agent.get(client, "/").body.string.contains("Aucune source"), "agents are not told about sources")
        }
    }

    @Test(arguments: StoreBackends.all) func aTwoWordSearchFromTheBoxFindsWhatTheCommandLineFinds(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let token = try await Self.apiToken(fixture, login: "bruno")
        let bruno = try #require(try await fixture.store.user(login: "bruno"))
        let direct = try await fixture.store.search(query: "faille critique", userID: bruno.id)
        #expect(direct.total == 1)
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "bruno")
            // What a browser sends for a GET form: spaces as `+`, accents percent-encoded.
            let page = try await browser.get(client, "/recherche?q=faille+critique").body.string
            #expect(page.contains("Faille critique dans un pare-feu"))
            #expect(page.contains("value=\"faille critique\""), "the box shows the words, not the plus")
            let accents = try await browser.get(client, "/recherche?q=d%C3%A9lib%C3%A9rations+correctifs").body.string
            #expect(accents.contains("Faille critique dans un pare-feu"))
            let api = try await client.execute(uri: "/api/v1/search?q=faille+critique", method: .get,
                                               headers: [.authorization: "Bearer \(token)"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])
            #expect(json["total"] as? Int == 1)
        }
    }

    @Test(arguments: ["a%00", "%00", "faille%00critique", "%01%02%1F%7F", "a%C2%85b", "%ED%A0%80", "%F0%9F", "%ZZ%", "%",
                      String(repeating: "mot+", count: 3_000), "canal%3A%00", "%22%00%22"])
    func oddBytesInAQueryNeverMakeAServerError(_ q: String) async throws {
        let fixture = try await DocumentsSearchTests.portal()
        let token = try await Self.apiToken(fixture, login: "marc")
        try await fixture.application().test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, login: "marc")
            for page in ["/recherche?q=", "/services/finances?q="] {
                let response = try await browser.get(client, page + q)
                #expect(response.status == .ok || response.status == .badRequest, "\(page)\(q.prefix(40)): \(response.status)")
            }
            for route in ["/api/v1/search?q=", "/api/v1/documents?q=", "/api/v1/items?q="] {
                let response = try await client.execute(uri: route + q, method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .ok || response.status == .badRequest, "\(route)\(q.prefix(40)): \(response.status)")
            }
        }
    }

    @Test func aNulByteIsASpaceForTheSearch() throws {
        let query = try SearchQuery.parse("faille\u{0}critique\u{7}")
        #expect(query.required.map(\.text) == ["faille", "critique"])
    }

    @Test func theAPIRepairsWhatTheSearchSyntaxRefuses() {
        #expect(SearchQuery.forgiving("\"conseil municipal")?.required.map(\.text) == ["conseil", "municipal"])
        #expect(SearchQuery.forgiving("budget canal: depuis:hier")?.required.map(\.text) == ["budget"])
        #expect(SearchQuery.forgiving("--") == nil)
        #expect(SearchQuery.forgiving("-budget") == nil)
        #expect(SearchQuery.forgiving(String(repeating: "mot ", count: 400))?.required.count == 32)
    }

    @Test(arguments: StoreBackends.all) func apiParametersAreReadAsDeclared(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let token = try await Self.apiToken(fixture, login: "bruno")
        try await fixture.application().test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            for refused in ["/api/v1/items?limit=0", "/api/v1/items?limit=201", "/api/v1/items?unread=peut-etre", "/api/v1/search?q=a&offset=-1",
                            "/api/v1/search?q=a&limit=1.5", "/api/v1/documents?year=deux"] {
                let response = try await client.execute(uri: refused, method: .get, headers: auth)
                #expect(response.status == .badRequest, "\(refused)")
                #expect(String(buffer: response.body).contains("bad_parameter"))
            }
            for accepted in ["/api/v1/items?before=&channel=", "/api/v1/search?q=%22conseil", "/api/v1/documents?q=canal%3A"] {
                #expect(try await client.execute(uri: accepted, method: .get, headers: auth).status == .ok, "\(accepted)")
            }
        }
    }

    @Test func formDecodingReadsPlusAsSpaceAndSurvivesBrokenEncodings() {
        #expect(FormData(encoded: "q=%C3%A9lections+municipales")["q"] == "élections municipales")
        #expect(FormData(encoded: "q=a%2Bb")["q"] == "a+b")
        #expect(FormData(encoded: "q=%ED%A0%80x")["q"] == "\u{FFFD}\u{FFFD}\u{FFFD}x")
        #expect(FormData(encoded: "q=100%")["q"] == "100%")
        #expect(FormData(encoded: "q=%zz")["q"] == "%zz")
        #expect(FormData(encoded: "a=&b")["a"] == "" && FormData(encoded: "a=&b").nonEmpty("a") == nil)
    }

    @Test(arguments: StoreBackends.all) func aMethodAPathDoesNotAllowIs405WithAllow(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            let put = try await client.execute(uri: "/api/v1/items", method: .put, headers: [:])
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, HEAD")
            let deleteSearch = try await client.execute(uri: "/api/v1/items/12/read", method: .get, headers: [:])
            #expect(deleteSearch.status == .methodNotAllowed)
            #expect(deleteSearch.headers[.allow] == "POST, DELETE")
            #expect(try await client.execute(uri: "/api/v1/nulle-part", method: .get, headers: [:]).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/items/12/read", method: .post, headers: [:]).status != .methodNotAllowed)
            #expect(try await client.execute(uri: "/api/v1/items", method: .get, headers: [:]).status == .unauthorized)
        }
    }
}
