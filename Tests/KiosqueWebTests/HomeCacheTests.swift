import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import NIOCore
import Testing

/// Ma page is served from a per-agent cache: every change the page shows must still appear at once.
@Suite("Ma page cache")
struct HomeCacheTests {
    @Test(arguments: StoreBackends.all) func cachedHomeFollowsEveryChangeItShows(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        let id = try await fixture.itemID("a1")
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            let first = try await bruno.get(client, "/").body.string
            #expect(first.contains("2 non lus"))
            #expect(try await bruno.get(client, "/").body.string == first)
            let token = try #require(Browser.csrf(in: first))

            _ = try await bruno.post(client, "/articles/\(id)/lu", [("_csrf", token)])
            #expect(try await bruno.get(client, "/").body.string.contains("1 non lus"))
            _ = try await bruno.post(client, "/articles/\(id)/garder", [("_csrf", token)])
            #expect(try await bruno.get(client, "/").body.string.contains("badge--star"))

            // Fetched by the pipeline (the same store, another task): shown on the next visit.
            _ = try await store.ingest(sourceID: "cert", items: [
                PreparedItem(item: ParsedItem(id: "a3", title: "Nouvelle alerte sur les messageries", link: "https://cert.example.org/a3",
                                              published: Date()), contentText: ""),
            ], fetchedAt: Date())
            #expect(try await bruno.get(client, "/").body.string.contains("Nouvelle alerte sur les messageries"))

            _ = try await bruno.post(client, "/catalogue/bouquets/vie-locale/abonner", [("_csrf", token)])
            #expect(try await bruno.get(client, "/").body.string.contains("Le conseil municipal vote le budget"))

            _ = try await bruno.post(client, "/compte/preferences", [("_csrf", token), ("language", "en"), ("layout", "river"), ("digest", "none")])
            let english = try await bruno.get(client, "/").body.string
            #expect(english.contains("<html lang=\"en\">"))
            #expect(english.contains("<section aria-label=\"Single river\">"), "river layout")
        }
    }

    @Test(arguments: StoreBackends.all) func eachAgentGetsTheirOwnPageAndToken(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var alice = Browser(), bruno = Browser()
            _ = try await alice.signIn(client, login: "alice")
            _ = try await bruno.signIn(client, login: "bruno")
            let alicePage = try await alice.get(client, "/").body.string
            let brunoPage = try await bruno.get(client, "/").body.string
            #expect(Browser.csrf(in: alicePage) != Browser.csrf(in: brunoPage))
            #expect(alicePage.contains("Alice") && !alicePage.contains(">Bruno<"))
            // A second session of the same agent has its own CSRF token: never another session's page.
            var brunoElsewhere = Browser()
            _ = try await brunoElsewhere.signIn(client, login: "bruno")
            let other = try await brunoElsewhere.get(client, "/").body.string
            #expect(Browser.csrf(in: other) != Browser.csrf(in: brunoPage))
        }
    }

    @Test func pageCacheChecksVariantStampAgeAndBudget() {
        let cache = PageCache(budgetBytes: 4_000, maxAge: .seconds(60))
        let stamp = ChangeStamp(shared: 1, agent: 0)
        let start = ContinuousClock.now
        cache.store(userID: 1, variant: "fr", stamp: stamp, body: ByteBuffer(string: "page"), now: start)
        #expect(cache.page(userID: 1, variant: "fr", stamp: stamp, now: start)?.readableBytes == 4)
        #expect(cache.page(userID: 2, variant: "fr", stamp: stamp, now: start) == nil)
        #expect(cache.page(userID: 1, variant: "en", stamp: stamp, now: start) == nil, "another variant is a miss (and drops the entry)")
        cache.store(userID: 1, variant: "fr", stamp: stamp, body: ByteBuffer(string: "page"), now: start)
        #expect(cache.page(userID: 1, variant: "fr", stamp: ChangeStamp(shared: 2, agent: 0), now: start) == nil)
        cache.store(userID: 1, variant: "fr", stamp: stamp, body: ByteBuffer(string: "page"), now: start)
        #expect(cache.page(userID: 1, variant: "fr", stamp: stamp, now: start + .seconds(61)) == nil, "too old")

        // Over budget, the least recently used pages go first.
        let page = ByteBuffer(string: String(repeating: "x", count: 900))
        for user in 1...4 { cache.store(userID: Int64(user), variant: "fr", stamp: stamp, body: page, now: start + .seconds(user)) }
        _ = cache.page(userID: 1, variant: "fr", stamp: stamp, now: start + .seconds(10))
        cache.store(userID: 5, variant: "fr", stamp: stamp, body: page, now: start + .seconds(11))
        #expect(cache.usage.bytes <= 4_000)
        #expect(cache.page(userID: 1, variant: "fr", stamp: stamp, now: start + .seconds(12)) != nil, "recently used, kept")
        #expect(cache.page(userID: 2, variant: "fr", stamp: stamp, now: start + .seconds(12)) == nil, "least recently used, dropped")
    }

    @Test(arguments: StoreBackends.all) func homeIsGzippedForBrowsersThatAcceptIt(_ backend: StoreBackend) async throws {
        let fixture = try await WebFixture.make(backend: backend)
        try await fixture.application().test(.router) { client in
            var bruno = Browser()
            _ = try await bruno.signIn(client, login: "bruno")
            for _ in 0..<2 {  // rendered, then from the cache
                let zipped = try await client.execute(uri: "/", method: .get, headers: bruno.headers(extra: [.acceptEncoding: "gzip, deflate, br"]))
                #expect(zipped.headers[.contentEncoding] == "gzip")
                #expect(zipped.headers[.vary] == "Accept-Encoding")
                let html = try #require(Gzip.decompress(zipped.body)).string
                #expect(html.contains("Faille critique dans un pare-feu"))
                #expect(zipped.body.readableBytes < html.utf8.count / 2)
                for refusal in [nil, "identity", "gzip;q=0, br"] {
                    var headers = bruno.headers()
                    if let refusal { headers[.acceptEncoding] = refusal }
                    let plain = try await client.execute(uri: "/", method: .get, headers: headers)
                    #expect(plain.headers[.contentEncoding] == nil)
                    #expect(plain.body.string == html)
                }
            }
        }
    }

    @Test func acceptEncodingIsParsed() {
        #expect(Gzip.isAccepted(by: "gzip, deflate, br"))
        #expect(Gzip.isAccepted(by: "br;q=1.0, GZIP;q=0.5"))
        #expect(Gzip.isAccepted(by: "*"))
        #expect(!Gzip.isAccepted(by: "gzip;q=0"))
        #expect(!Gzip.isAccepted(by: "deflate, br"))
        #expect(!Gzip.isAccepted(by: nil))
        #expect(Gzip.decompress(ByteBuffer(string: "not gzip")) == nil)
    }

    /// `ItemRowView` writes the markup of `item-row.mustache` without Mustache; a theme that
    /// overrides the template gets it rendered through Mustache. Both must give the same rows.
    @Test func swiftRowsMatchTheMustacheRowTemplate() async throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/KiosqueWeb/Resources/Templates/item-row.mustache")
        let theme = NSTemporaryDirectory() + "kiosque-theme-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: theme + "/templates", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: shipped.path, toPath: theme + "/templates/item-row.mustache")
        let plain = try await WebFixture.make()
        let themed = try await WebFixture.make { $0.portal.themeDirectory = theme }
        var pages: [String] = []
        for fixture in [plain, themed] {
            let id = try await fixture.itemID("a2")
            pages += try await fixture.application().test(.router) { client -> [String] in
                var bruno = Browser()
                _ = try await bruno.signIn(client, login: "bruno")
                let token = try await bruno.csrf(client)
                _ = try await bruno.post(client, "/articles/\(id)/garder", [("_csrf", token)])
                var rows: [String] = []
                for path in ["/", "/canaux/securite"] {
                    rows.append(Self.rows(in: try await bruno.get(client, path).body.string))
                }
                return rows
            }
        }
        #expect(pages[0].contains("<article class=\"item item--unread\""))
        #expect(pages[0].contains("badge--star"))
        #expect(pages[0] == pages[2])
        #expect(pages[1] == pages[3])
    }

    /// The item rows of a page, with whitespace between tags, CSRF tokens and dates left out (the
    /// two fixtures are built a moment apart).
    static func rows(in html: String) -> String {
        var rows: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<article class=\"item"), let end = rest.range(of: "</article>", range: start.upperBound..<rest.endIndex) {
            rows.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return rows.joined().replacing(/>\s+</, with: "><").replacing(/name="_csrf" value="[^"]*"/, with: "csrf")
            .replacing(/<time datetime="\d{4}-\d\d-\d\dT[\d:]+Z">[^<]+<\/time>/, with: "<time/>")
    }
}
