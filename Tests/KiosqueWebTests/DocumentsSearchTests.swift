import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
@testable import KiosqueWeb
import Testing

/// Documents in the general search (page and API), on members' "Ma page", the admin link, and the
/// editors' refusal messages in French and English.
struct DocumentsSearchTests {
    /// A portal with departments finances (editor edith, member marc) and voirie (member olga).
    static func portal(language: String = "fr") async throws -> WebFixture {
        let fixture = try await WebFixture.make { configuration in
            configuration.catalog.departments = [DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations"]),
                                                 DepartmentDefinition(id: "voirie", title: "Voirie")]
        }
        let hash = await AccountTools.hashPassword(WebFixture.password)
        for (login, department, editor) in [("edith", "finances", true), ("marc", "finances", false), ("olga", "voirie", false)] {
            let id = try await fixture.store.createUser(NewUser(login: login, passwordHash: hash, language: language)).id
            try await fixture.store.setMembership(userID: id, departmentID: department, isEditor: editor)
        }
        return fixture
    }

    /// Publishes through the API as edith; returns the document id.
    static func publish(_ client: some TestClientProtocol, title: String, visibility: String) async throws -> String {
        var editor = Browser()
        _ = try await editor.signIn(client, login: "edith")
        let token = try await editor.csrf(client)
        let (body, type) = DocumentsPermissionTests.multipart(
            [("title", title), ("category", "Délibérations"), ("visibility", visibility), ("description", "Aide zorglub versée au club")],
            file: DocumentsPermissionTests.pdf + Data(title.utf8), name: "acte.pdf")
        let created = try await client.execute(uri: "/api/v1/services/finances/documents", method: .post,
                                               headers: editor.headers(extra: [.contentType: type, HTTPField.Name("X-CSRF-Token")!: token]),
                                               body: body)
        #expect(created.status == .created)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
        return try #require(json["id"] as? String)
    }

    static func signedIn(_ client: some TestClientProtocol, _ login: String) async throws -> Browser {
        var browser = Browser()
        _ = try await browser.signIn(client, login: login)
        return browser
    }

    @Test func searchPageShowsDocumentsApartAndOnlyToThoseWhoMaySeeThem() async throws {
        let fixture = try await Self.portal()
        try await fixture.application().test(.router) { client in
            let secret = try await Self.publish(client, title: "Subvention zorglub réservée", visibility: "department")
            let open = try await Self.publish(client, title: "Subvention zorglub publique", visibility: "organisation")
            var marc = try await Self.signedIn(client, "marc")
            let page = try await marc.get(client, "/recherche?q=zorglub").body.string
            #expect(page.contains("id=\"documents-title\""))
            #expect(page.contains("href=\"/documents/\(secret)\"") && page.contains("href=\"/documents/\(open)\""))
            #expect(page.contains("Délibérations") && page.contains("Finances"))
            #expect(page.contains("<mark>zorglub</mark>"))
            // The organisation-wide document is shown once, as a document, not also as an article.
            #expect(!page.contains("href=\"/articles/"))
            #expect(page.contains(">0 résultat<"), "French: zero and one take the singular")

            var olga = try await Self.signedIn(client, "olga")
            let other = try await olga.get(client, "/recherche?q=zorglub").body.string
            #expect(!other.contains(secret))
            #expect(other.contains("href=\"/documents/\(open)\""))

            // Filters alone are a search: 200 with documents, not "type a word".
            for query in ["type:deliberation", "service:finances", "type:pdf"] {
                let response = try await marc.get(client, "/recherche?q=" + FormData.percentEncode(query))
                #expect(response.status == .ok, "\(query)")
                #expect(response.body.string.contains("/documents/\(secret)"), "\(query)")
            }
            let voirie = try await olga.get(client, "/recherche?q=service%3Afinances")
            #expect(voirie.status == .ok && !voirie.body.string.contains(secret))
            // Articles are still found next to documents.
            let mixed = try await marc.get(client, "/recherche?q=budget").body.string
            #expect(mixed.contains("Le conseil municipal vote le budget"))
        }
    }

    @Test func searchAPIListsDocumentsSeparately() async throws {
        let fixture = try await Self.portal()
        try await fixture.application().test(.router) { client in
            let secret = try await Self.publish(client, title: "Marché zorglub réservé", visibility: "department")
            let open = try await Self.publish(client, title: "Marché zorglub public", visibility: "organisation")
            func search(_ login: String, _ q: String) async throws -> [String: Any] {
                var browser = try await Self.signedIn(client, login)
                let response = try await browser.get(client, "/api/v1/search?q=" + FormData.percentEncode(q))
                #expect(response.status == .ok, "\(login) \(q)")
                return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
            func ids(_ object: [String: Any]) -> Set<String> {
                Set(((object["documents"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
            }
            let member = try await search("marc", "zorglub")
            #expect(ids(member) == [secret, open] && member["documents_total"] as? Int == 2)
            #expect((member["items"] as? [Any])?.isEmpty == true && member["total"] as? Int == 0)
            let document = try #require((member["documents"] as? [[String: Any]])?.first { $0["id"] as? String == secret })
            #expect(document["service"] as? String == "finances" && document["visibility"] as? String == "department")
            #expect(document["url"] as? String == "/documents/\(secret)" && document["category"] as? String == "Délibérations")
            #expect(ids(try await search("olga", "zorglub")) == [open])
            #expect(ids(try await search("olga", "type:deliberation")) == [open])
            #expect(ids(try await search("marc", "service:finances")) == [secret, open])
        }
    }

    @Test func maPageShowsMembersOnlyDocumentsToMembersOnly() async throws {
        let fixture = try await Self.portal()
        try await fixture.application().test(.router) { client in
            let secret = try await Self.publish(client, title: "Note interne zorglub", visibility: "department")
            var marc = try await Self.signedIn(client, "marc")
            let home = try await marc.get(client, "/").body.string
            #expect(home.contains("Documents réservés de mes services"))
            #expect(home.contains("href=\"/documents/\(secret)\"") && home.contains("Note interne zorglub"))
            for login in ["olga", "alice", "bruno"] {
                var browser = try await Self.signedIn(client, login)
                let page = try await browser.get(client, "/").body.string
                #expect(!page.contains(secret) && !page.contains("zorglub"), "\(login)")
                #expect(!page.contains("Documents réservés de mes services"), "\(login)")
            }
        }
    }

    @Test func adminPageLinksToTheDocumentsFollowUp() async throws {
        let fixture = try await Self.portal()
        try await fixture.application().test(.router) { client in
            var alice = try await Self.signedIn(client, "alice")
            let admin = try await alice.get(client, "/admin").body.string
            #expect(admin.contains("href=\"/admin/utilisateurs\"") && admin.contains("href=\"/admin/documents\""))
            #expect(try await alice.get(client, "/admin/documents").status == .ok)
        }
    }

    @Test(arguments: [
        ("fr", "Les programmes et scripts sont refusés", "Le titre est obligatoire"),
        ("en", "Programs and scripts are refused", "A title is required"),
    ])
    func refusalsAreExplainedInTheEditorsLanguage(language: String, executable: String, title: String) async throws {
        // The agent's own language (their choice in /compte) decides.
        let fixture = try await Self.portal(language: language)
        let store = fixture.store
        try await fixture.application().test(.router) { client in
            var edith = Browser()
            edith.acceptLanguage = language
            _ = try await edith.signIn(client, login: "edith")
            let csrf = try await edith.csrf(client)
            let elf = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]) + Data(repeating: 0, count: 64)
            for (fields, file, expected) in [([("title", "Programme")], elf, executable),
                                             ([("title", " ")], DocumentsPermissionTests.pdf, title)] {
                let (body, type) = DocumentsPermissionTests.multipart(fields, file: file, name: "outil.pdf")
                let response = try await client.execute(uri: "/services/finances/publier?_csrf=\(csrf)", method: .post,
                                                        headers: edith.headers(extra: [.contentType: type]), body: body)
                #expect(response.status == .unsupportedMediaType || response.status == .unprocessableContent)
                #expect(response.body.string.contains(expected), "\(language): \(expected)")
            }
            let stored = try await store.documents(filter: DocumentFilter(), viewer: DocumentViewer(userID: 0, isAdmin: true))
            #expect(stored.isEmpty)
        }
    }
}
