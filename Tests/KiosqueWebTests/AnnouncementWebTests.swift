import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueConfig
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// A portal with a publishing Communication department, an IT department, and one agent per role,
/// each with an API token and a private Atom address.
struct NewsPortal {
    let fixture: WebFixture
    let api: NewsAPI

    static func make(backend: StoreBackend = StoreBackends.sqlite, clock: TestClock? = nil,
                     configure: (inout PortalConfiguration) -> Void = { _ in }) async throws -> NewsPortal {
        let fixture = try await WebFixture.make(backend: backend, clock: clock) { configuration in
            configuration.catalog.departments = [DepartmentDefinition(id: "communication", title: "Communication", publisher: true),
                                                 DepartmentDefinition(id: "dsi", title: "Informatique")]
            configure(&configuration)
        }
        let store = fixture.store
        let hash = await AccountTools.hashPassword(WebFixture.password)
        var ids: [String: Int64] = [:]
        for login in ["claire", "denis", "gaelle", "olga"] {
            ids[login] = try await store.createUser(NewUser(login: login, name: login.capitalized, passwordHash: hash)).id
            _ = try await store.subscribeDefaults(userID: ids[login]!)
        }
        ids["alice"] = try #require(try await store.user(login: "alice")).id
        try await store.setMembership(userID: ids["claire"]!, departmentID: "communication", isEditor: false)
        try await store.setMembership(userID: ids["denis"]!, departmentID: "dsi", isEditor: false)
        try await store.setUserGroups(userID: ids["gaelle"]!, groups: ["gg-finances"])
        var tokens: [String: String] = [:], atom: [String: String] = [:]
        for (login, id) in ids {
            let (token, tokenHash) = AccountTools.newAPIToken()
            let feedToken = UUID().uuidString.replacingOccurrences(of: "-", with: "") + "feedfeed"
            var update = UserUpdate()
            update.apiTokenHash = .some(tokenHash)
            update.atomToken = .some(Secrets.hash(feedToken))
            _ = try await store.updateUser(id: id, update)
            tokens[login] = token
            atom[login] = feedToken
        }
        return NewsPortal(fixture: fixture, api: NewsAPI(tokens: tokens, atom: atom))
    }
}

/// The agents' credentials, and API helpers.
struct NewsAPI: Sendable {
    /// login → bearer token.
    let tokens: [String: String]
    /// login → private Atom token.
    let atom: [String: String]

    func auth(_ login: String, json: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(tokens[login]!)"]
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    /// Creates an announcement through the API as `login`; returns its JSON.
    func create(_ client: some TestClientProtocol, as login: String, _ fields: [String: Any]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: fields)
        let response = try await client.execute(uri: "/api/v1/announcements", method: .post, headers: auth(login, json: true),
                                                body: ByteBuffer(bytes: body))
        #expect(response.status == .created, "\(response.body.string)")
        return try Self.object(response)
    }
}

@Suite("Announcements on the web and in the API")
struct AnnouncementWebTests {
    @Test("""
        audience matrix: everyone, a department, a group × member, outsider, writer, administrator × API, Ma page, item, search, \
        channel page, unread count, read and star marks, channel Atom, private Atom, digest news
        """)
    func audienceMatrix() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api, store = portal.fixture.store
        try await portal.fixture.application().test(.router) { client in
            let everyone = try await api.create(client, as: "claire", [
                "department": "communication", "title": "Fermeture estivale zorglub", "summary": "Pour tous", "body_markdown": "Le **mois d'août**.",
                "pinned": true])
            let department = try await api.create(client, as: "claire", [
                "department": "communication", "title": "Migration messagerie zorglub", "body_markdown": "Pour la DSI.",
                "audience": ["departments": ["dsi"]], "must_read": true])
            let group = try await api.create(client, as: "claire", [
                "department": "communication", "title": "Clôture budgétaire zorglub", "body_markdown": "Pour les finances.",
                "audience": ["groups": ["GG-Finances"]], "must_read": true])
            #expect(everyone["status"] as? String == "published")
            #expect((department["audience"] as? [String: Any])?["departments"] as? [String] == ["dsi"])
            // Everyone follows the news bouquet.
            for login in ["claire", "denis", "gaelle", "olga", "alice"] {
                let id = try #require(try await store.user(login: login)).id
                _ = try await store.subscribe(userID: id, bouquetID: "actualites-internes")
            }
            let cases: [([String: Any], String, String, Set<String>)] = [
                (everyone, "Fermeture estivale zorglub", "estivale", ["claire", "denis", "gaelle", "olga", "alice"]),
                (department, "Migration messagerie zorglub", "messagerie", ["denis"]),
                (group, "Clôture budgétaire zorglub", "budgétaire", ["gaelle"]),
            ]
            // Every announcement is an item of the news channel for its audience: its id, as a member sees it.
            func channelItems(_ login: String, _ filter: String = "channel=news-communication") async throws -> [String: Int64] {
                let response = try await client.execute(uri: "/api/v1/items?\(filter)", method: .get, headers: api.auth(login))
                #expect(response.status == .ok)
                let items = try NewsAPI.object(response)["items"] as? [[String: Any]] ?? []
                return Dictionary(items.compactMap { item in (item["title"] as? String).map { ($0, (item["id"] as? Int64) ?? Int64(item["id"] as? Int ?? 0)) } },
                                  uniquingKeysWith: { a, _ in a })
            }
            func unread(_ login: String) async throws -> Int? {
                let response = try await client.execute(uri: "/api/v1/channels", method: .get, headers: api.auth(login))
                let channels = try NewsAPI.object(response)["channels"] as? [[String: Any]] ?? []
                return channels.first { $0["id"] as? String == "news-communication" }?["unread"] as? Int
            }
            var itemIDs: [String: Int64] = [:]
            for (_, title, _, audience) in cases {
                itemIDs[title] = try #require(try await channelItems(try #require(audience.sorted().first))[title], "\(title) is an item")
            }
            // Unread counts count what the agent may see, nothing else.
            for login in ["claire", "denis", "gaelle", "olga", "alice"] {
                #expect(try await unread(login) == cases.filter { $0.3.contains(login) }.count, "\(login) unread before reading")
            }
            for (announcement, title, word, audience) in cases {
                let id = try #require(announcement["id"] as? String)
                let itemID = try #require(itemIDs[title])
                for login in ["claire", "denis", "gaelle", "olga", "alice"] {
                    let inAudience = audience.contains(login)
                    // The news channel's page and its Atom feed (signed in) list it for the audience only.
                    let channel = try await client.execute(uri: "/canaux/news-communication", method: .get, headers: api.auth(login))
                    #expect(channel.status == .ok)
                    #expect(channel.body.string.contains(title) == inAudience, "\(login) channel page \(title)")
                    let channelAtom = try await client.execute(uri: "/canaux/news-communication.atom", method: .get, headers: api.auth(login))
                    #expect(channelAtom.body.string.contains(title) == inAudience, "\(login) channel Atom \(title)")
                    // Its item: read and star marks, the item search, the starred list — the audience only.
                    let read = try await client.execute(uri: "/api/v1/items/\(itemID)/read", method: .post, headers: api.auth(login))
                    #expect(read.status == (inAudience ? .noContent : .notFound), "\(login) marks \(title) read")
                    let star = try await client.execute(uri: "/api/v1/items/\(itemID)/star", method: .post, headers: api.auth(login))
                    #expect(star.status == (inAudience ? .noContent : .notFound), "\(login) stars \(title)")
                    #expect((try await channelItems(login, "starred=true")[title] != nil) == inAudience, "\(login) starred \(title)")
                    #expect((try await channelItems(login, "q=\(FormData.percentEncode(word))")[title] != nil) == inAudience,
                            "\(login) item search \(title)")
                    // Digest news of the channel: the agent's own, and what all agents share.
                    let userID = try #require(try await store.user(login: login)).id
                    let news = try await store.channelNews(channelKey: "news-communication", since: Date(timeIntervalSince1970: 0),
                                                           until: Date().addingTimeInterval(60), limit: 20, userID: userID)
                    #expect(news.items.contains { $0.title == title } == inAudience, "\(login) digest \(title)")
                    #expect(news.count == news.items.count)
                    let sees = audience.contains(login) || login == "claire" || login == "alice"
                    let one = try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth(login))
                    #expect(one.status == (sees ? .ok : .notFound), "\(login) GET \(title)")
                    let list = try await client.execute(uri: "/api/v1/announcements", method: .get, headers: api.auth(login))
                    let ids = (try NewsAPI.object(list)["announcements"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    #expect(ids.contains(id) == sees, "\(login) list \(title)")
                    let stats = try await client.execute(uri: "/api/v1/announcements/\(id)/stats", method: .get, headers: api.auth(login))
                    let manages = login == "claire" || login == "alice"
                    #expect(stats.status == (manages ? .ok : sees ? .forbidden : .notFound), "\(login) stats \(title)")
                    let page = try await client.execute(uri: "/annonces/\(id)", method: .get, headers: api.auth(login))
                    #expect(page.status == (sees ? .ok : .notFound), "\(login) page \(title)")
                    // Ma page: À la une for the audience only.
                    let home = try await client.execute(uri: "/", method: .get, headers: api.auth(login))
                    #expect(home.body.string.contains(title) == audience.contains(login), "\(login) Ma page \(title)")
                    // Search: items (for everyone) and the announcements section (targeted) for those who see it.
                    let search = try await client.execute(uri: "/recherche?q=\(FormData.percentEncode(word))", method: .get,
                                                          headers: api.auth(login))
                    #expect(search.body.string.contains(title) == sees, "\(login) search \(title)")
                    // The agent's private Atom feed (their followed channels' items).
                    let feed = try await client.execute(uri: "/flux/agents/\(api.atom[login]!).atom", method: .get)
                    #expect(feed.status == .ok)
                    #expect(feed.body.string.contains(title) == inAudience, "\(login) Atom \(title)")
                    // Acknowledging: the audience only (409 for one that is not must-read).
                    if announcement["must_read"] as? Bool == true {
                        let ack = try await client.execute(uri: "/api/v1/announcements/\(id)/acknowledge", method: .post, headers: api.auth(login))
                        #expect(ack.status == (audience.contains(login) ? .ok : sees ? .conflict : .notFound), "\(login) ack \(title)")
                    }
                }
            }
            // Each agent read everything they may see; what all agents share holds the announcement for everyone only.
            for login in ["claire", "denis", "gaelle", "olga", "alice"] {
                #expect(try await unread(login) == 0, "\(login) unread after reading")
            }
            #expect(Set(try await channelItems("denis").keys) == ["Migration messagerie zorglub", "Fermeture estivale zorglub"])
            #expect(Set(try await channelItems("gaelle").keys) == ["Clôture budgétaire zorglub", "Fermeture estivale zorglub"])
            #expect(Set(try await channelItems("olga").keys) == ["Fermeture estivale zorglub"])
            let shared = try await store.channelNews(channelKey: "news-communication", since: Date(timeIntervalSince1970: 0),
                                                     until: Date().addingTimeInterval(60), limit: 20)
            #expect(shared.items.map(\.title) == ["Fermeture estivale zorglub"] && shared.count == 1)
            let listing = try await store.catalogue(userID: nil)
            let news = (listing.bouquets.flatMap(\.channels) + listing.otherChannels).first { $0.channel.id == "news-communication" }
            #expect(news?.itemCount == 1, "the catalogue counts what every agent sees")
            // An agent who leaves the audience loses the item, read or not.
            try await store.removeMembership(userID: try #require(try await store.user(login: "denis")).id, departmentID: "dsi")
            #expect(Set(try await channelItems("denis").keys) == ["Fermeture estivale zorglub"])
            #expect(try await unread("denis") == 0)
        }
    }

    @Test("the whole attack table, written as Markdown through the API, never reaches a page as script")
    func markdownXSS() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            let markdown = """
                # Titre

                <script>alert(1)</script>

                [clic](javascript:alert(1)) et ![img](x" onerror="alert(1)) et <img src=x onerror=alert(1)>

                <a href="JaVaScRiPt:alert(1)">lien</a> <iframe src="https://evil.example/"></iframe> <svg onload=alert(1)>
                """
            let created = try await api.create(client, as: "claire", ["department": "communication", "title": "XSS <b>zorglub</b>",
                                                                          "body_markdown": markdown])
            let html = try #require(created["body_html"] as? String).lowercased()
            for marker in ["<script", "javascript:", "onerror", "onload", "<iframe", "<svg"] {
                #expect(!html.contains(marker), "\(marker) in \(html)")
            }
            #expect(html.contains("<h1>titre</h1>") || html.contains("titre</h"))
            let id = try #require(created["id"] as? String)
            let page = try await client.execute(uri: "/annonces/\(id)", method: .get, headers: api.auth("olga")).body.string
            #expect(!page.contains("<script>alert"))
            #expect(!page.lowercased().contains("onerror="))
            #expect(page.contains("XSS &lt;b&gt;zorglub&lt;/b&gt;"), "the title is escaped")
        }
    }

    @Test("the API refuses what the document does not allow, and only editors write")
    func apiValidation() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            func post(_ login: String, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/announcements", method: .post, headers: api.auth(login, json: true),
                                         body: ByteBuffer(string: body))
            }
            #expect(try await post("claire", "not json").status == .badRequest)
            #expect(try await post("claire", #"{"department":"communication"}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","colour":"red"}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","pinned":1}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":7}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","publish_at":"demain"}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","audience":{"services":["dsi"]}}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","audience":{"departments":["nulle-part"]}}"#).status
                    == .unprocessableContent)
            let long = String(repeating: "é", count: 301)
            #expect(try await post("claire", #"{"department":"communication","title":"\#(long)"}"#).status == .unprocessableContent)
            #expect(try await post("claire", #"{"department":"communication","title":"x","publish_at":"2030-01-02T00:00:00Z","expire_at":"2030-01-01T00:00:00Z"}"#)
                .status == .unprocessableContent)
            #expect(try await post("denis", #"{"department":"communication","title":"x"}"#).status == .forbidden)
            #expect(try await post("alice", #"{"department":"dsi","title":"x"}"#).status == .forbidden)
            #expect(try await post("claire", #"{"department":"inconnu","title":"x"}"#).status == .forbidden)

            let created = try await api.create(client, as: "claire", ["department": "communication", "title": "Original",
                                                                          "publish_at": "2020-01-01T08:00:00Z", "expire_at": NSNull()])
            let id = try #require(created["id"] as? String)
            #expect(created["publish_at"] as? String == "2020-01-01T08:00:00Z")
            func patch(_ login: String, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/announcements/\(id)", method: .patch, headers: api.auth(login, json: true),
                                         body: ByteBuffer(string: body))
            }
            #expect(try await patch("denis", #"{"title":"Piraté"}"#).status == .forbidden)
            #expect(try await patch("claire", #"{"department":"dsi"}"#).status == .unprocessableContent)
            #expect(try await patch("claire", #"{"title":null}"#).status == .unprocessableContent)
            let changed = try await patch("claire", #"{"title":"Modifié","audience":{"departments":["dsi"]}}"#)
            #expect(changed.status == .ok)
            #expect(try NewsAPI.object(changed)["title"] as? String == "Modifié")
            // Now for IT only: Olga no longer sees it at all.
            #expect(try await patch("olga", #"{"title":"x"}"#).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .delete, headers: api.auth("olga")).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .delete, headers: api.auth("denis")).status == .forbidden)
            #expect(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .delete, headers: api.auth("claire")).status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth("claire")).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/announcements?limit=500", method: .get, headers: api.auth("claire")).status == .badRequest)
        }
    }

    @Test("writing from the browser (CSRF), À la une, J'ai pris connaissance, the confirmation list and its figures")
    func mustReadFlow() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            var writer = Browser()
            _ = try await writer.signIn(client, login: "claire")
            let form = try await writer.get(client, "/annonces/nouvelle")
            #expect(form.status == .ok)
            let token = try #require(Browser.csrf(in: form.body.string))
            let fields = [("department", "communication"), ("title", "Charte informatique zorglub"), ("summary", "À lire"),
                          ("body_markdown", "Merci de **lire** la charte."), ("audience_department", "dsi"), ("must_read", "1")]
            let refused = try await writer.post(client, "/annonces/nouvelle", fields)
            #expect(refused.status == .forbidden, "no CSRF token, no announcement")
            let created = try await writer.post(client, "/annonces/nouvelle", [("_csrf", token)] + fields)
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = String(location.dropFirst("/annonces/".count))
            #expect(id.count == 32)

            var reader = Browser()
            _ = try await reader.signIn(client, login: "denis")
            let home = try await reader.get(client, "/")
            let homeHTML = home.body.string
            let front = try #require(homeHTML.range(of: "id=\"a-la-une\""))
            #expect(homeHTML.contains("Charte informatique zorglub"))
            if let channels = homeHTML.range(of: "class=\"channel-block\"") { #expect(front.lowerBound < channels.lowerBound, "À la une above the channels") }
            let readerToken = try #require(Browser.csrf(in: homeHTML))
            let page = try await reader.get(client, "/annonces/\(id)")
            #expect(page.body.string.contains("J'ai pris connaissance") || page.body.string.contains("J&#39;ai pris connaissance")
                    || page.body.string.contains("J&apos;ai pris connaissance"))
            #expect(try await reader.post(client, "/annonces/\(id)/confirmer", []).status == .forbidden)
            let ack = try await reader.post(client, "/annonces/\(id)/confirmer", [("_csrf", readerToken), ("return_to", "/")])
            #expect(ack.status == .seeOther)
            #expect(ack.headers[.location] == "/")
            let again = try await reader.post(client, "/annonces/\(id)/confirmer", [("_csrf", readerToken)])
            #expect(again.status == .seeOther, "confirming twice is harmless")
            #expect(!(try await reader.get(client, "/").body.string.contains("Charte informatique zorglub")), "confirmed: off À la une")

            // Olga is outside the audience: nothing, and she cannot confirm.
            var outsider = Browser()
            _ = try await outsider.signIn(client, login: "olga")
            let olgaToken = try await outsider.csrf(client)
            #expect(try await outsider.post(client, "/annonces/\(id)/confirmer", [("_csrf", olgaToken)]).status == .notFound)
            #expect(try await outsider.get(client, "/annonces/\(id)/statistiques").status == .notFound)
            #expect(try await reader.get(client, "/annonces/\(id)/statistiques").status == .forbidden)

            let stats = try await writer.get(client, "/annonces/\(id)/statistiques")
            #expect(stats.status == .ok)
            let html = stats.body.string
            let confirmed = try #require(html.range(of: "class=\"confirmed\""))
            #expect(html[confirmed.lowerBound...].contains("denis"), "the list names who confirmed")
            #expect(html.contains("&lt; 5"), "one reader is shown as < 5")
            #expect(html.contains("<svg class=\"chart\" role=\"img\""))
            let csv = try await writer.get(client, "/annonces/\(id)/statistiques.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.body.string.hasPrefix("day,views,readers,acknowledged\r\n"))
            #expect(csv.body.string.contains(",< 5,< 5,< 5\r\n"))
            let figuresResponse = try await client.execute(uri: "/api/v1/announcements/\(id)/stats", method: .get, headers: api.auth("claire"))
            let figures = try NewsAPI.object(figuresResponse)
            #expect(figures["readers"] as? Int == 1 && figures["acknowledged"] as? Int == 1 && figures["audience"] as? Int == 1)
        }
    }

    @Test("drafts stay with their writers; in a department with approval a second editor publishes from the page")
    func draftsAndApproval() async throws {
        let fixture = try await WebFixture.make { configuration in
            configuration.catalog.departments = [DepartmentDefinition(id: "rh", title: "Ressources humaines", approval: true)]
        }
        let store = fixture.store
        let hash = await AccountTools.hashPassword(WebFixture.password)
        for login in ["rose", "remi", "olga"] {
            let id = try await store.createUser(NewUser(login: login, name: login.capitalized, passwordHash: hash)).id
            _ = try await store.subscribeDefaults(userID: id)
            if login != "olga" { try await store.setMembership(userID: id, departmentID: "rh", isEditor: true) }
        }
        try await fixture.application().test(.router) { client in
            var rose = Browser()
            _ = try await rose.signIn(client, login: "rose")
            let token = try #require(Browser.csrf(in: try await rose.get(client, "/annonces/nouvelle").body.string))
            func write(_ title: String, draft: Bool) async throws -> String {
                var fields = [("_csrf", token), ("department", "rh"), ("title", title), ("body_markdown", "Texte")]
                if draft { fields.append(("draft", "1")) }
                let created = try await rose.post(client, "/annonces/nouvelle", fields)
                #expect(created.status == .seeOther)
                return String(try #require(created.headers[.location]).dropFirst("/annonces/".count))
            }
            let draft = try await write("Brouillon des entretiens", draft: true)
            let pending = try await write("Campagne d'entretiens", draft: false)
            #expect(try await rose.get(client, "/annonces/\(draft)").body.string.contains("Brouillon"))
            let own = try await rose.get(client, "/annonces/\(pending)").body.string
            #expect(own.contains("En attente d&#39;approbation") || own.contains("En attente d'approbation")
                    || own.contains("En attente d&apos;approbation"))
            #expect(!own.contains("/approuver"), "the author is not offered to approve")
            #expect(try await rose.post(client, "/annonces/\(pending)/approuver", [("_csrf", token)]).status == .forbidden)

            var olga = Browser()
            _ = try await olga.signIn(client, login: "olga")
            for id in [draft, pending] { #expect(try await olga.get(client, "/annonces/\(id)").status == .notFound) }

            var remi = Browser()
            _ = try await remi.signIn(client, login: "remi")
            let page = try await remi.get(client, "/annonces/\(pending)").body.string
            #expect(page.contains("/annonces/\(pending)/approuver"))
            let remiToken = try #require(Browser.csrf(in: page))
            #expect(try await remi.post(client, "/annonces/\(pending)/approuver", [("_csrf", remiToken)]).status == .seeOther)
            #expect(try await olga.get(client, "/annonces/\(pending)").status == .ok)
            #expect(try await olga.get(client, "/annonces/\(draft)").status == .notFound)
        }
    }

    @Test("the press review: collected from items by Communication's writers, ordered, commented, published, printable")
    func pressReview() async throws {
        let portal = try await NewsPortal.make()
        let store = portal.fixture.store
        let firewall = try await portal.fixture.itemID("a1"), budget = try await portal.fixture.itemID("p1")
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            var claire = Browser()
            _ = try await claire.signIn(client, login: "claire")
            let itemPage = try await claire.get(client, "/articles/\(firewall)")
            #expect(itemPage.body.string.contains("Ajouter à la revue de presse"))
            let token = try #require(Browser.csrf(in: itemPage.body.string))
            for id in [firewall, budget] {
                let added = try await claire.post(client, "/articles/\(id)/revue-de-presse", [("_csrf", token), ("department", "communication")])
                #expect(added.status == .seeOther)
            }
            #expect(try await claire.post(client, "/articles/\(budget)/revue-de-presse", [("department", "communication")]).status == .forbidden,
                    "no CSRF token")
            // Denis writes for no publisher department: no button, no review.
            var denis = Browser()
            _ = try await denis.signIn(client, login: "denis")
            #expect(!(try await denis.get(client, "/articles/\(firewall)").body.string.contains("Ajouter à la revue de presse")))
            let denisToken = try await denis.csrf(client)
            #expect(try await denis.post(client, "/articles/\(firewall)/revue-de-presse", [("_csrf", denisToken), ("department", "communication")])
                .status == .forbidden)
            #expect(try await denis.get(client, "/revue-de-presse?service=communication").status == .forbidden)

            let review = try await store.pressReview(departmentID: "communication",
                                                     viewer: DocumentViewer(userID: try #require(try await store.user(login: "claire")).id, isAdmin: false))
            #expect(review.entries.map(\.itemID) == [firewall, budget])
            let (first, second) = (review.entries[0].id, review.entries[1].id)
            let saved = try await claire.post(client, "/revue-de-presse", [
                ("_csrf", token), ("department", "communication"), ("intro", "Bonjour à tous <b>!</b>"),
                ("comment_\(first)", "À appliquer *vite* <script>alert(1)</script>"), ("position_\(first)", "2"),
                ("comment_\(second)", "Vote du budget"), ("position_\(second)", "1"),
            ])
            #expect(saved.status == .seeOther)
            let draft = try await claire.get(client, "/revue-de-presse?service=communication").body.string
            let budgetAt = try #require(draft.range(of: "Le conseil municipal vote le budget")), firewallAt = try #require(draft.range(of: "Faille critique"))
            #expect(budgetAt.lowerBound < firewallAt.lowerBound, "reordered")

            let published = try await claire.post(client, "/revue-de-presse/publier", [("_csrf", token), ("department", "communication"),
                                                                                        ("title", "Revue de presse du matin")])
            #expect(published.status == .seeOther)
            let location = try #require(published.headers[.location])
            let page = try await denis.get(client, location)
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Revue de presse du matin"))
            #expect(html.contains("<ol class=\"press-review\">") || html.contains("<ol>"))
            #expect(html.contains("href=\"https://presse.example.org/p1\""))
            #expect(html.contains("Presse test"), "the source")
            #expect(html.contains("Vote du budget"))
            #expect(html.contains("À appliquer *vite* &lt;script&gt;alert(1)&lt;/script&gt;"), "comments are text")
            #expect(!html.contains("<script>alert"))
            #expect(try #require(html.range(of: "Vote du budget")).lowerBound < (try #require(html.range(of: "À appliquer"))).lowerBound)
            let id = String(location.dropFirst("/annonces/".count))
            let json = try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth("olga"))
            #expect(try NewsAPI.object(json)["category"] as? String == "Revue de presse")
            // Published: the review being prepared is empty again.
            #expect(try await claire.get(client, "/revue-de-presse?service=communication").body.string.contains("est vide"))
            // The print stylesheet hides navigation and forms.
            let css = try await client.execute(uri: "/static/kiosque.css", method: .get).body.string
            let print = try #require(css.range(of: "@media print"))
            #expect(css[print.lowerBound...].contains(".site-header"))
            #expect(css[print.lowerBound...].contains("form"))
        }
    }

    @Test("Ma page shows a scheduled announcement from its publication time and drops it at expiry, cached page or not")
    func scheduleOnMaPage() async throws {
        // The web layer's clock, moved by the test across the boundaries (no sleeping, no window).
        let base = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let clock = TestClock(base)
        let portal = try await NewsPortal.make(clock: clock)
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            let publish = base.addingTimeInterval(3_600), expire = base.addingTimeInterval(7_200)
            let created = try await api.create(client, as: "claire", [
                "department": "communication", "title": "Coupure réseau zorglub", "audience": ["departments": ["dsi"]], "pinned": true,
                "publish_at": publish.formatted(.iso8601), "expire_at": expire.formatted(.iso8601)])
            #expect(created["status"] as? String == "scheduled")
            let id = try #require(created["id"] as? String)
            func home() async throws -> Bool {
                try await client.execute(uri: "/", method: .get, headers: api.auth("denis")).body.string.contains("Coupure réseau zorglub")
            }
            func channel() async throws -> Bool {
                try await client.execute(uri: "/canaux/news-communication", method: .get, headers: api.auth("denis"))
                    .body.string.contains("Coupure réseau zorglub")
            }
            func status() async throws -> String? {
                let response = try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth("denis"))
                return response.status == .ok ? try NewsAPI.object(response)["status"] as? String : nil
            }
            // Each moment twice: the second Ma page comes from the page cache, which must agree.
            for (moment, live) in [(publish.addingTimeInterval(-1), false), (publish, true), (publish.addingTimeInterval(1), true),
                                   (expire.addingTimeInterval(-1), true)] {
                clock.set(moment)
                #expect(try await home() == live, "Ma page at \(moment.timeIntervalSince(publish)) s from publication")
                #expect(try await home() == live, "cached Ma page at \(moment.timeIntervalSince(publish)) s from publication")
                #expect(try await channel() == live, "news channel at \(moment.timeIntervalSince(publish)) s from publication")
                #expect(try await status() == (live ? "published" : nil), "API at \(moment.timeIntervalSince(publish)) s from publication")
            }
            for moment in [expire, expire.addingTimeInterval(1)] {
                clock.set(moment)
                #expect(try await home() == false, "expired: archived, off Ma page (\(moment.timeIntervalSince(expire)) s)")
                #expect(try await home() == false, "expired, cached Ma page (\(moment.timeIntervalSince(expire)) s)")
                #expect(try await status() == "expired")
            }
            // The clock going back (a test, or a corrected server clock) shows it again: nothing is cached past a boundary.
            clock.set(expire.addingTimeInterval(-1))
            #expect(try await home())
        }
    }

    @Test("a department's figures: its writers and administrators only; announcements and channels, small figures masked")
    func departmentFigures() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api
        try await portal.fixture.application().test(.router) { client in
            _ = try await api.create(client, as: "claire", ["department": "communication", "title": "Vœux du maire zorglub", "must_read": true])
            for login in ["denis", "olga"] {
                let page = try await client.execute(uri: "/api/v1/announcements", method: .get, headers: api.auth(login))
                let id = try #require((try NewsAPI.object(page)["announcements"] as? [[String: Any]])?.first?["id"] as? String)
                _ = try await client.execute(uri: "/annonces/\(id)", method: .get, headers: api.auth(login))
            }
            let figures = try await client.execute(uri: "/annonces/statistiques", method: .get, headers: api.auth("claire"))
            #expect(figures.status == .ok)
            let html = figures.body.string
            #expect(html.contains("Vœux du maire zorglub"))
            #expect(html.contains("Actualités — Communication"))
            #expect(html.contains("<td>&lt; 5</td>"), "two readers are shown as < 5")
            #expect(try await client.execute(uri: "/annonces/statistiques?service=communication", method: .get, headers: api.auth("denis")).status
                    == .forbidden)
            #expect(try await client.execute(uri: "/annonces/statistiques?service=communication", method: .get, headers: api.auth("alice")).status
                    == .ok)
            #expect(try await client.execute(uri: "/annonces/statistiques?service=inconnu", method: .get, headers: api.auth("alice")).status
                    == .notFound)
        }
    }

    @Test("statistics: figures about fewer than 5 agents read < 5", arguments: [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (12, "12")])
    func threshold(_ value: Int, _ shown: String) {
        #expect(AnnouncementsController.masked(value) == shown)
    }
}
