import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// Announcements carry documents of their department: ticked in the writing form, listed under
/// "Pièces jointes" on the page and in the API's `attachments`, each only for those who may see it.
@Suite("Documents attached to announcements on the web and in the API")
struct AnnouncementDocumentsWebTests {
    /// Communication's document for the whole organisation, its members-only one, and one of the DSI.
    struct Shelf {
        let open: String, members: String, dsi: String
    }

    static func shelf(_ portal: NewsPortal) async throws -> Shelf {
        let store = portal.fixture.store
        let admin = DocumentViewer(userID: try #require(try await store.user(login: "alice")).id, isAdmin: true)
        func document(_ title: String, in department: String, _ visibility: DocumentVisibility = .organisation,
                      sha: Character) async throws -> String {
            try await store.createDocument(
                departmentID: department, metadata: DocumentMetadata(title: title, visibility: visibility),
                file: StoredFile(sha256: String(repeating: sha, count: 64), size: 3_072, fileName: "\(sha).pdf",
                                 mediaType: "application/pdf", kind: "pdf"),
                by: admin, now: Date()).id
        }
        return Shelf(open: try await document("Plan mobilite zorglub", in: "communication", sha: "a"),
                     members: try await document("Charte interne zorglub", in: "communication", .department, sha: "b"),
                     dsi: try await document("Schema directeur zorglub", in: "dsi", sha: "c"))
    }

    @Test("the writer ticks the department's documents in the form (CSRF); readers see those they may open under Pièces jointes",
          arguments: StoreBackends.all)
    func editorFormAndAnnouncementPage(_ backend: StoreBackend) async throws {
        let portal = try await NewsPortal.make(backend: backend)
        let shelf = try await Self.shelf(portal)
        try await portal.fixture.application().test(.router) { client in
            var writer = Browser()
            _ = try await writer.signIn(client, login: "claire")
            let form = try await writer.get(client, "/annonces/nouvelle")
            let html = form.body.string
            #expect(form.status == .ok)
            // The department's documents, the writer may see both; another department's are not offered.
            #expect(html.contains("name=\"attachments_listed\""))
            for id in [shelf.open, shelf.members] {
                #expect(html.contains("name=\"attachment_document\" value=\"\(id)\""), "\(html)")
            }
            #expect(!html.contains(shelf.dsi))
            let token = try #require(Browser.csrf(in: html))
            let fields = [("department", "communication"), ("title", "Demenagement zorglub"), ("body_markdown", "Voir les pieces jointes."),
                          ("attachments_listed", "1"), ("attachment_document", shelf.members), ("attachment_document", shelf.open)]
            #expect(try await writer.post(client, "/annonces/nouvelle", fields).status == .forbidden, "no CSRF token, nothing saved")
            let created = try await writer.post(client, "/annonces/nouvelle", [("_csrf", token)] + fields)
            #expect(created.status == .seeOther, "\(created.body.string)")
            let id = String(try #require(created.headers[.location]).dropFirst("/annonces/".count))

            // The editing form has them ticked, in their order, first.
            let edit = try await writer.get(client, "/annonces/\(id)/modifier").body.string
            let members = try #require(edit.range(of: "value=\"\(shelf.members)\" aria-describedby=\"documents-help\" checked"))
            let open = try #require(edit.range(of: "value=\"\(shelf.open)\" aria-describedby=\"documents-help\" checked"))
            #expect(members.lowerBound < open.lowerBound)

            // Readers: the page lists what each may open.
            func page(_ login: String) async throws -> String {
                var reader = Browser()
                _ = try await reader.signIn(client, login: login)
                return try await reader.get(client, "/annonces/\(id)").body.string
            }
            let claire = try await page("claire")
            #expect(claire.contains("Pièces jointes") || claire.contains("Pi&#232;ces jointes") || claire.contains("Pi&egrave;ces jointes"))
            #expect(claire.contains("href=\"/documents/\(shelf.members)\">Charte interne zorglub</a>"))
            #expect(claire.contains("href=\"/documents/\(shelf.open)\">Plan mobilite zorglub</a>"))
            #expect(claire.contains("PDF, 3 Ko"))
            for login in ["olga", "denis"] {
                let seen = try await page(login)
                #expect(seen.contains("Demenagement zorglub"), "\(login) sees the announcement")
                #expect(seen.contains("href=\"/documents/\(shelf.open)\""), "\(login)")
                #expect(!seen.contains(shelf.members), "\(login) is outside the members-only document's audience")
            }

            // Another department's document sent anyway: refused on the form, naming it; nothing changes.
            let editToken = try #require(Browser.csrf(in: edit))
            let crafted = try await writer.post(client, "/annonces/\(id)/modifier", [
                ("_csrf", editToken), ("title", "Demenagement modifie zorglub"), ("attachments_listed", "1"), ("attachment_document", shelf.dsi)])
            #expect(crafted.status == .unprocessableContent)
            #expect(crafted.body.string.contains(shelf.dsi))
            #expect(try await page("claire").contains("href=\"/documents/\(shelf.members)\""))

            // Unticking: only the open one stays.
            let saved = try await writer.post(client, "/annonces/\(id)/modifier", [
                ("_csrf", editToken), ("title", "Demenagement zorglub"), ("attachments_listed", "1"), ("attachment_document", shelf.open)])
            #expect(saved.status == .seeOther)
            let after = try await page("claire")
            #expect(after.contains("href=\"/documents/\(shelf.open)\"") && !after.contains(shelf.members))
        }
    }

    @Test("API: attachments are document ids on POST and PATCH (422 naming another department's or an unknown one), objects on GET per reader",
          arguments: StoreBackends.all)
    func apiAttachments(_ backend: StoreBackend) async throws {
        let portal = try await NewsPortal.make(backend: backend)
        let shelf = try await Self.shelf(portal)
        let api = portal.api, store = portal.fixture.store
        try await portal.fixture.application().test(.router) { client in
            let note = try await api.create(client, as: "claire", ["department": "communication", "title": "Travaux zorglub",
                                                                   "attachments": [shelf.members, shelf.open]])
            let id = try #require(note["id"] as? String)
            func documents(_ json: [String: Any]) -> [[String: Any]] {
                (json["attachments"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "document" }
            }
            #expect(documents(note).map { $0["id"] as? String } == [shelf.members, shelf.open])
            func get(_ login: String) async throws -> [String: Any] {
                try NewsAPI.object(try await client.execute(uri: "/api/v1/announcements/\(id)", method: .get, headers: api.auth(login)))
            }
            let olga = documents(try await get("olga"))
            #expect(olga.count == 1)
            #expect(olga.first?["id"] as? String == shelf.open)
            #expect(olga.first?["title"] as? String == "Plan mobilite zorglub")
            #expect(olga.first?["url"] as? String == "/documents/\(shelf.open)")
            let listed = try NewsAPI.object(try await client.execute(uri: "/api/v1/announcements", method: .get, headers: api.auth("olga")))
            let row = try #require((listed["announcements"] as? [[String: Any]])?.first { $0["id"] as? String == id })
            #expect(documents(row).map { $0["id"] as? String } == [shelf.open])

            func patch(_ body: [String: Any]) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/announcements/\(id)", method: .patch, headers: api.auth("claire", json: true),
                                         body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            }
            for refused in [shelf.dsi, "0123456789abcdef0123456789abcdef"] {
                let response = try await patch(["attachments": [shelf.open, refused]])
                #expect(response.status == .unprocessableContent)
                #expect(response.body.string.contains(refused), "\(response.body.string)")
            }
            #expect(try await patch(["attachments": "nope"]).status == .unprocessableContent)
            #expect(try await patch(["attachments": [String(repeating: "x", count: 65)]]).status == .unprocessableContent)
            #expect(documents(try await get("claire")).count == 2, "a refused PATCH changes nothing")
            // A PATCH without attachments keeps them; with a list, replaces them in its order.
            #expect(try await patch(["title": "Travaux du hall zorglub"]).status == .ok)
            #expect(documents(try await get("claire")).count == 2)
            let reordered = try NewsAPI.object(try await patch(["attachments": [shelf.open, shelf.members]]))
            #expect(documents(reordered).map { $0["id"] as? String } == [shelf.open, shelf.members])

            // POST with another department's document: 422, and no announcement is created.
            func count() async throws -> Int? {
                let list = try NewsAPI.object(try await client.execute(uri: "/api/v1/announcements", method: .get, headers: api.auth("claire")))
                return (list["announcements"] as? [Any])?.count
            }
            let before = try await count()
            let post = try await client.execute(
                uri: "/api/v1/announcements", method: .post, headers: api.auth("claire", json: true),
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: [
                    "department": "communication", "title": "Refusee zorglub", "attachments": [shelf.dsi]])))
            #expect(post.status == .unprocessableContent)
            #expect(post.body.string.contains(shelf.dsi))
            let after = try await count()
            #expect(after == before)

            // A deleted document leaves the announcement's attachments.
            let admin = DocumentViewer(userID: try #require(try await store.user(login: "alice")).id, isAdmin: true)
            _ = try await store.deleteDocument(id: shelf.open, by: admin, login: "alice", now: Date())
            #expect(documents(try await get("olga")).isEmpty)
            #expect(documents(try await get("claire")).map { $0["id"] as? String } == [shelf.members])
        }
    }
}
