import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
@testable import KiosqueWeb
import Testing

@Suite("Targeted announcements as items of their audience only, and the publishers' figures pages")
struct AnnouncementFiguresWebTests {
    @Test("a targeted announcement reaches unread counts, unread lists, Atom and the items API of its audience, and no one else's")
    func targetedAnnouncementsAreItemsOfTheirAudience() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api, store = portal.fixture.store
        try await portal.fixture.application().test(.router) { client in
            _ = try await api.create(client, as: "claire", ["department": "communication", "title": "Pour tous zorglub"])
            let targeted = try await api.create(client, as: "claire", ["department": "communication", "title": "Pour la DSI zorglub",
                                                                       "audience": ["departments": ["dsi"]], "must_read": true])
            #expect(targeted["status"] as? String == "published")
            for (login, inAudience) in [("denis", true), ("olga", false)] {
                let id = try #require(try await store.user(login: login)).id
                _ = try await store.subscribe(userID: id, bouquetID: "actualites-internes")
                let home = try await store.homePage(userID: id, limit: 50, perChannel: 5)
                #expect(home.channels.first { $0.channel.id == "news-communication" }?.unread == (inAudience ? 2 : 1), "\(login) unread count")
                let unread = try await store.unreadItems(userID: id, before: nil, limit: 100).items.map(\.title)
                #expect(unread.contains("Pour tous zorglub") && unread.contains("Pour la DSI zorglub") == inAudience, "\(login) unread list")
                let items = try await client.execute(uri: "/api/v1/items?channel=news-communication", method: .get, headers: api.auth(login))
                let titles = (try NewsAPI.object(items)["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
                #expect(titles == (inAudience ? ["Pour la DSI zorglub", "Pour tous zorglub"] : ["Pour tous zorglub"]), "\(login) items API")
                let feed = try await client.execute(uri: "/flux/agents/\(api.atom[login]!).atom", method: .get).body.string
                #expect(feed.contains("Pour tous zorglub") && feed.contains("Pour la DSI zorglub") == inAudience, "\(login) Atom")
                let starred = try await store.starredItems(userID: id, before: nil, limit: 100).items
                #expect(starred.isEmpty)
            }
            // À la une: the member of the audience only.
            let home = try await client.execute(uri: "/", method: .get, headers: api.auth("denis")).body.string
            #expect(home.contains("Pour la DSI zorglub"))
            let olgaHome = try await client.execute(uri: "/", method: .get, headers: api.auth("olga")).body.string
            #expect(!olgaHome.contains("Pour la DSI zorglub"))
        }
    }

    @Test("the department page shows daily totals and each document's views; the portal page is for administrators")
    func figuresPages() async throws {
        let portal = try await NewsPortal.make()
        let api = portal.api, store = portal.fixture.store
        try await portal.fixture.application().test(.router) { client in
            let note = try await api.create(client, as: "claire", ["department": "communication", "title": "Note zorglub"])
            let id = try #require(note["id"] as? String)
            let admin = DocumentViewer(userID: try #require(try await store.user(login: "alice")).id, isAdmin: true)
            let document = try await store.createDocument(
                departmentID: "communication", metadata: DocumentMetadata(title: "Organigramme zorglub"),
                file: StoredFile(sha256: String(repeating: "a", count: 64), size: 3, fileName: "o.pdf", mediaType: "application/pdf", kind: "pdf"),
                by: admin)
            for login in ["denis", "olga"] {
                #expect(try await client.execute(uri: "/annonces/\(id)", method: .get, headers: api.auth(login)).status == .ok)
                #expect(try await client.execute(uri: "/documents/\(document.id)", method: .get, headers: api.auth(login)).status == .ok)
            }
            let page = try await client.execute(uri: "/annonces/statistiques?service=communication", method: .get, headers: api.auth("claire"))
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Totaux par jour"))
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            #expect(html.contains("<tr><th scope=\"row\">\(today)</th><td>&lt; 5</td><td>&lt; 5</td>"), "two views of each, shown as < 5")
            #expect(html.contains("<a href=\"/documents/\(document.id)/statistiques\">Organigramme zorglub</a>"))
            // The document's own page of figures: per day, for the department's writers only.
            let documentPage = try await client.execute(uri: "/documents/\(document.id)/statistiques", method: .get, headers: api.auth("claire"))
            #expect(documentPage.status == .ok)
            #expect(documentPage.body.string.contains("<tr><th scope=\"row\">\(today)</th><td>&lt; 5</td><td>&lt; 5</td></tr>"))
            #expect(documentPage.body.string.contains("<svg class=\"chart\" role=\"img\""))
            #expect(try await client.execute(uri: "/documents/\(document.id)/statistiques", method: .get, headers: api.auth("olga")).status
                    == .forbidden)
            #expect(try await client.execute(uri: "/documents/0000/statistiques", method: .get, headers: api.auth("claire")).status == .notFound)
            #expect(try await store.departmentDocumentFigures(departmentID: "communication", viewer: admin).first?.views == 2)
            #expect(try await client.execute(uri: "/annonces/statistiques?service=communication", method: .get, headers: api.auth("olga")).status
                    == .forbidden)

            let portalPage = try await client.execute(uri: "/admin/statistiques-publication", method: .get, headers: api.auth("alice"))
            #expect(portalPage.status == .ok)
            #expect(portalPage.body.string.contains("<a href=\"/annonces/statistiques?service=communication\">Communication</a>"))
            for login in ["claire", "olga"] {
                #expect(try await client.execute(uri: "/admin/statistiques-publication", method: .get, headers: api.auth(login)).status
                        == .forbidden)
            }
        }
    }
}
