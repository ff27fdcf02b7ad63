import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KiosqueModel
import KiosqueStore
import KiosqueStoreTesting
@testable import KiosqueWeb
import Testing

/// The writing form lists the department's most recent documents; one already attached stays
/// listed and ticked however old, since saving the form replaces the attachments by its ticks.
@Suite("The writing form keeps an old attached document")
struct AnnouncementDocumentChoicesWebTests {
    @Test("a document attached before the form's most recent ones is still listed, ticked, and kept on save")
    func oldAttachedDocumentStaysListed() async throws {
        let portal = try await NewsPortal.make()
        let store = portal.fixture.store
        let admin = DocumentViewer(userID: try #require(try await store.user(login: "alice")).id, isAdmin: true)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        var ids: [String] = []
        for index in 0...AnnouncementsController.listedDocuments {
            ids.append(try await store.createDocument(
                departmentID: "communication", metadata: DocumentMetadata(title: "Fiche zorglub \(index)", visibility: .organisation),
                file: StoredFile(sha256: String(format: "%064x", index), size: 1_024, fileName: "f\(index).pdf",
                                 mediaType: "application/pdf", kind: "pdf"),
                by: admin, now: start.addingTimeInterval(Double(index) * 60)).id)
        }
        let oldest = try #require(ids.first)
        try await portal.fixture.application().test(.router) { client in
            var writer = Browser()
            _ = try await writer.signIn(client, login: "claire")
            let blank = try await writer.get(client, "/annonces/nouvelle").body.string
            #expect(!blank.contains("value=\"\(oldest)\""), "the form lists the most recent documents only")
            let token = try #require(Browser.csrf(in: blank))
            let created = try await writer.post(client, "/annonces/nouvelle", [
                ("_csrf", token), ("department", "communication"), ("title", "Ancienne fiche zorglub"),
                ("attachments_listed", "1"), ("attachment_document", oldest)])
            #expect(created.status == .seeOther, "\(created.body.string)")
            let id = String(try #require(created.headers[.location]).dropFirst("/annonces/".count))

            let edit = try await writer.get(client, "/annonces/\(id)/modifier").body.string
            #expect(edit.contains("value=\"\(oldest)\" aria-describedby=\"documents-help\" checked"), "listed and ticked")
            // Saved as the browser sends it (the ticked boxes only): the old document stays.
            let saved = try await writer.post(client, "/annonces/\(id)/modifier", [
                ("_csrf", try #require(Browser.csrf(in: edit))), ("title", "Ancienne fiche zorglub"),
                ("attachments_listed", "1"), ("attachment_document", oldest)])
            #expect(saved.status == .seeOther, "\(saved.body.string)")
            let page = try await writer.get(client, "/annonces/\(id)").body.string
            #expect(page.contains("href=\"/documents/\(oldest)\""))
        }
    }
}
