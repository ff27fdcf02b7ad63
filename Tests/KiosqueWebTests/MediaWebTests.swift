import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueMedia
import KiosqueModel
import KiosqueStore
import KiosqueTestServer
import Testing

/// Pictures through /media against a real image server on 127.0.0.1 (allowed by `media.allowed_private_hosts`).
@Suite("Media on pages", .serialized)
struct MediaWebTests {
    static func imageServer() throws -> TestHTTPServer {
        var router = TestRouter()
        let jpeg = try #require(ImageProcessor.makeTestImage(width: 1200, height: 800, format: "jpeg"))
        router.on("/chat.jpg", respond: .ok(jpeg, contentType: "image/jpeg"))
        // A 30,000 × 30,000 PNG header on a tiny file: refused before decoding.
        var bomb = [UInt8](try #require(ImageProcessor.makeTestImage(width: 8, height: 8, format: "png")))
        let side = UInt32(30_000).bigEndian
        withUnsafeBytes(of: side) { bomb.replaceSubrange(16..<20, with: $0); bomb.replaceSubrange(20..<24, with: $0) }
        router.on("/plan.png", respond: .ok(Data(bomb), contentType: "image/png"))
        return try TestHTTPServer(handler: router.handler)
    }

    /// A fixture with one illustrated item (a good picture and a hostile one) in the `securite` channel.
    static func fixture(server: TestHTTPServer, mode: String = "proxy") async throws -> (WebFixture, Int64) {
        let fixture = try await WebFixture.make { configuration in
            configuration.media.mode = mode
            configuration.media.allowedPrivateHosts = ["127.0.0.1"]
        }
        let html = "<p>Le chat de la mairie.</p><img src=\"\(server.url("/chat.jpg"))\" alt=\"Un chat roux\" width=\"600\" height=\"400\">"
            + "<p><img src=\"\(server.url("/plan.png"))\" alt=\"Plan du quartier\"></p>"
            + "<p><img src=\"\(server.url("/absent.png"))\" alt=\"Affiche du concert\"></p>"  // the site answers 404
        _ = try await fixture.store.ingest(sourceID: "cert", items: [
            PreparedItem(item: ParsedItem(id: "img1", title: "Illustration féline", link: "https://cert.example.org/img1",
                                          published: Date(), summary: "Un chat.", contentHTML: html),
                         contentText: "Le chat de la mairie."),
        ], fetchedAt: Date())
        let found = try await fixture.store.search(query: "féline", userID: nil)
        return (fixture, try #require(found.items.first?.item.id))
    }

    static func mediaPaths(in html: String) -> [String] {
        html.matches(of: /\/media\/[A-Za-z0-9_\-.]+(\?taille=vignette)?/).map { String($0.output.0) }
    }

    /// Runs `body` against a portal with the illustrated item, alice signed in; cleans up after.
    static func signedIn(mode: String = "proxy",
                         _ body: @Sendable (any TestClientProtocol, inout Browser, TestHTTPServer, Int64) async throws -> Void) async throws {
        let server = try imageServer()
        defer { server.shutdown() }
        let (fixture, id) = try await Self.fixture(server: server, mode: mode)
        try await fixture.application().test(.router) { client in
            var alice = Browser()
            _ = try await alice.signIn(client, login: "alice")
            try await body(client, &alice, server, id)
        }
        try? FileManager.default.removeItem(atPath: fixture.dataDirectory)
    }

    @Test("Item page: pictures point at /media, the CSP allows only same-origin images, a refused picture shows its alt text")
    func itemPage() async throws {
        try await Self.signedIn { client, alice, server, id in
            let page = try await alice.get(client, "/articles/\(id)")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("img-src 'self' data:;") == true)
            let imageSources = page.headers[.contentSecurityPolicy]?.split(separator: ";").first { $0.contains("img-src") }
            #expect(imageSources?.trimmingCharacters(in: .whitespaces) == "img-src 'self' data:")
            let html = page.body.string
            #expect(!html.contains("127.0.0.1"), "no outside address reaches the browser")
            let paths = Self.mediaPaths(in: html)
            #expect(paths.count == 3)
            let good = try #require(paths.first)
            let picture = try await client.execute(uri: good, method: .get)
            #expect(picture.status == .ok)
            #expect(picture.headers[.contentType] == "image/jpeg")
            #expect(picture.headers[.xContentTypeOptions] == "nosniff")
            #expect(picture.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let etag = try #require(picture.headers[.eTag])
            let again = try await client.execute(uri: good, method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(server.requests(path: "/chat.jpg").count == 1)

            for refused in paths.dropFirst() {  // the bomb, and the picture the site no longer has
                #expect(try await client.execute(uri: refused, method: .get).status == .notFound)
            }
            #expect(try await client.execute(uri: "/media/forged.aHR0cDovLzEyNy4wLjAuMTo4MC94LmpwZw", method: .get).status == .notFound)
            // The server now knows both fail: the page shows their descriptions instead of broken images.
            let after = try await alice.get(client, "/articles/\(id)").body.string
            #expect(after.contains("<span class=\"media-alt\">Plan du quartier</span>"))
            #expect(after.contains("<span class=\"media-alt\">Affiche du concert</span>"))
            #expect(Self.mediaPaths(in: after).count == 1)
        }
    }

    @Test("Ma page shows a same-origin thumbnail with alt text and fixed size; the /compte preference hides it (CSRF-checked)")
    func thumbnails() async throws {
        try await Self.signedIn { client, alice, server, id in
            let home = try await alice.get(client, "/").body.string
            let thumbnail = try #require(home.firstMatch(of: /<img class="item__picture" src="([^"]+)" alt="Un chat roux" width="96" height="72"/))
            #expect(thumbnail.output.1.hasPrefix("/media/") && thumbnail.output.1.hasSuffix("?taille=vignette"))
            #expect(!home.contains("127.0.0.1"))
            let small = try await client.execute(uri: String(thumbnail.output.1), method: .get)
            #expect(small.status == .ok)
            #expect(small.body.readableBytes < 30_000)

            #expect(try await alice.post(client, "/compte/images", [("masquer", "1")]).status == .forbidden)
            let token = try await alice.csrf(client)
            let saved = try await alice.post(client, "/compte/images", [("_csrf", token), ("masquer", "1")])
            #expect(saved.status == .seeOther)
            #expect(!(try await alice.get(client, "/").body.string).contains("item__picture"))
            #expect((try await alice.get(client, "/compte").body.string).contains("id=\"hide-pictures\" name=\"masquer\" value=\"1\" checked"))
            _ = try await alice.post(client, "/compte/images", [("_csrf", token)])
            #expect((try await alice.get(client, "/").body.string).contains("item__picture"))
        }
    }

    @Test("/admin shows the pictures cache")
    func admin() async throws {
        try await Self.signedIn { client, alice, server, id in
            let page = try await alice.get(client, "/articles/\(id)").body.string
            for path in Self.mediaPaths(in: page) { _ = try await client.execute(uri: path, method: .get) }
            let admin = try await alice.get(client, "/admin").body.string
            #expect(admin.contains("Cache des images"))
            #expect(admin.contains("Images refusées</dt><dd>2</dd>"))
        }
    }

    @Test("media.mode: direct keeps today's behaviour")
    func direct() async throws {
        try await Self.signedIn(mode: "direct") { client, alice, server, id in
            let page = try await alice.get(client, "/articles/\(id)")
            #expect(page.headers[.contentSecurityPolicy]?.contains("img-src 'self' https: http: data:") == true)
            #expect(page.body.string.contains(server.url("/chat.jpg")))
            #expect(try await client.execute(uri: "/media/x.y", method: .get).status == .notFound)
        }
    }
}

@Suite("Media prefetch after ingest")
struct MediaPrefetchTests {
    @Test("The newest items' pictures are fetched before anyone asks; a second round fetches nothing")
    func prefetch() async throws {
        let server = try MediaWebTests.imageServer()
        defer { server.shutdown() }
        let (fixture, _) = try await MediaWebTests.fixture(server: server)
        let prefetcher = try #require(fixture.server.mediaPrefetcher(store: fixture.store))
        await prefetcher.prefetchOnce()
        #expect(server.requests(path: "/chat.jpg").count == 1)
        await prefetcher.prefetchOnce()
        #expect(server.requests(path: "/chat.jpg").count == 1)
        try? FileManager.default.removeItem(atPath: fixture.dataDirectory)
    }
}
