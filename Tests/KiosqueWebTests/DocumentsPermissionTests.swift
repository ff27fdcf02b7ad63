import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
@testable import KiosqueWeb
import Testing

/// (admin, editor, member, agent of another department, anonymous) × (list, view, download,
/// upload, new version, unpublish, delete) on a members-only document, every cell asserted.
struct DocumentsPermissionTests {
    static let pdf = Data("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)

    static func multipart(_ fields: [(String, String)], file: Data, name: String) -> (ByteBuffer, String) {
        let boundary = "kiosque-\(UUID().uuidString)"
        var body = Data()
        for (key, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += file
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), "multipart/form-data; boundary=\(boundary)")
    }

    /// Publishes a document in `department` through the API as the signed-in `browser`.
    static func publish(_ client: some TestClientProtocol, as browser: inout Browser, department: String, _ fields: [(String, String)],
                        file: Data = pdf, name: String) async throws -> TestResponse {
        let token = try await browser.csrf(client)
        let (body, type) = multipart(fields, file: file, name: name)
        return try await client.execute(uri: "/api/v1/services/\(department)/documents", method: .post,
                                        headers: browser.headers(extra: [.contentType: type, HTTPField.Name("X-CSRF-Token")!: token]),
                                        body: body)
    }

    @Test func everyRoleAgainstEveryAction() async throws {
        let fixture = try await WebFixture.make { configuration in
            configuration.catalog.departments = [DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations"]),
                                                 DepartmentDefinition(id: "voirie", title: "Voirie")]
        }
        let hash = await AccountTools.hashPassword(WebFixture.password)
        var ids: [String: Int64] = [:]
        for login in ["edith", "marc", "olga"] {
            ids[login] = try await fixture.store.createUser(NewUser(login: login, passwordHash: hash)).id
        }
        try await fixture.store.setMembership(userID: ids["edith"]!, departmentID: "finances", isEditor: true)
        try await fixture.store.setMembership(userID: ids["marc"]!, departmentID: "finances", isEditor: false)
        try await fixture.store.setMembership(userID: ids["olga"]!, departmentID: "voirie", isEditor: false)

        let store = fixture.store
        try await fixture.application().test(.router) { client in
            // The editor publishes a members-only deliberation through the API.
            var editor = Browser()
            _ = try await editor.signIn(client, login: "edith")
            let created = try await Self.publish(client, as: &editor, department: "finances",
                                                 [("title", "Budget réservé"), ("category", "Délibérations"), ("visibility", "department")],
                                                 name: "budget.pdf")
            #expect(created.status == .created)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            let id = try #require(json["id"] as? String)
            #expect(id.count == 32)

            // Expected status per role for: list shows it, view, download, upload, new version, unpublish, delete.
            let matrix: [(String?, Bool, HTTPResponse.Status, HTTPResponse.Status, HTTPResponse.Status, HTTPResponse.Status, HTTPResponse.Status, HTTPResponse.Status)] = [
                ("marc", true, .ok, .ok, .forbidden, .forbidden, .forbidden, .forbidden),
                ("olga", false, .notFound, .notFound, .forbidden, .notFound, .notFound, .notFound),
                (nil, false, .seeOther, .seeOther, .seeOther, .seeOther, .seeOther, .seeOther),
                ("edith", true, .ok, .ok, .seeOther, .seeOther, .seeOther, .forbidden),
                ("alice", true, .ok, .ok, .seeOther, .seeOther, .seeOther, .seeOther),
            ]
            for (login, listed, view, download, upload, version, unpublish, delete) in matrix {
                var browser = Browser()
                var csrf = ""
                if let login {
                    _ = try await browser.signIn(client, login: login)
                    csrf = try await browser.csrf(client)
                } else {
                    csrf = Browser.csrf(in: try await browser.get(client, "/connexion").body.string) ?? ""
                }
                let who = login ?? "anonymous"
                let list = try await browser.get(client, "/services/finances")
                #expect(list.body.string.contains(id) == listed, "list \(who)")
                #expect(try await browser.get(client, "/documents/\(id)").status == view, "view \(who)")
                let file = try await browser.get(client, "/documents/\(id)/fichier")
                #expect(file.status == download, "download \(who)")
                if download == .ok {
                    #expect(file.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    // The editor's new version (v.pdf) is current by the admin's turn.
                    let disposition = file.headers[.contentDisposition] ?? ""
                    #expect(disposition.hasPrefix("attachment; filename=\"") && disposition.contains("filename*=UTF-8''"))
                    #expect(disposition.hasSuffix("budget.pdf") || disposition.hasSuffix("v.pdf"))
                    #expect(file.headers[.contentType] == "application/pdf")
                    var ranged = browser.headers()
                    ranged[.range] = "bytes=0-7"
                    let part = try await client.execute(uri: "/documents/\(id)/fichier", method: .get, headers: ranged, body: nil)
                    #expect(part.status == .partialContent && part.body.string == "%PDF-1.4")
                }
                let (upBody, upType) = Self.multipart([("title", "Nouveau")], file: Self.pdf + Data(who.utf8), name: "n.pdf")
                let up = try await client.execute(uri: "/services/finances/publier?_csrf=\(csrf)", method: .post,
                                                  headers: browser.headers(extra: [.contentType: upType]), body: upBody)
                #expect(up.status == upload, "upload \(who)")
                let (vBody, vType) = Self.multipart([], file: Self.pdf + Data("v-\(who)".utf8), name: "v.pdf")
                let newVersion = try await client.execute(uri: "/documents/\(id)/versions?_csrf=\(csrf)", method: .post,
                                                          headers: browser.headers(extra: [.contentType: vType]), body: vBody)
                #expect(newVersion.status == version, "new version \(who)")
                #expect(try await browser.post(client, "/documents/\(id)/depublier", [("_csrf", csrf)]).status == unpublish, "unpublish \(who)")
                if unpublish == .seeOther {
                    _ = try await browser.post(client, "/documents/\(id)/republier", [("_csrf", csrf)])
                }
                #expect(try await browser.post(client, "/documents/\(id)/supprimer", [("_csrf", csrf)]).status == delete, "delete \(who)")
            }
            // The admin's deletion was the last cell: the document is gone for everyone, and logged.
            #expect(try await store.deletedDocuments().map(\.by) == ["alice"])
        }
    }
}
