import Foundation
import KiosqueDocuments
import KiosqueModel
import KiosqueStore
import Testing

/// `kiosque documents check` and the documents part of `kiosque search`, on a data folder whose
/// documents were published through the real library.
@Suite("kiosque documents", .serialized)
struct DocumentsCLITests {
    /// A portal with a department `finances`, an editor and a member, and two text documents.
    static func portal() async throws -> (Portal, DocumentLibrary, member: Int64, editor: DocumentViewer) {
        let portal = try Portal.make()
        let yaml = try String(contentsOfFile: portal.config, encoding: .utf8)
            + "\ndepartments:\n  - { id: finances, title: \"Finances\", categories: [\"Délibérations\"] }\n"
        try yaml.write(toFile: portal.config, atomically: true, encoding: .utf8)
        let data = portal.directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let store = try AppDatabase.open(path: data.appendingPathComponent("kiosque.sqlite").path)
        try await store.syncCatalog(Catalog(departments: [DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations"])]))
        let editor = try await store.createUser(NewUser(login: "edith")).id
        let member = try await store.createUser(NewUser(login: "marc")).id
        try await store.setMembership(userID: editor, departmentID: "finances", isEditor: true)
        try await store.setMembership(userID: member, departmentID: "finances", isEditor: false)
        let library = try DocumentLibrary(root: data.appendingPathComponent("documents"), store: store, extractsInBackground: false)
        return (portal, library, member, DocumentViewer(userID: editor, isAdmin: false))
    }

    static func publish(_ library: DocumentLibrary, _ text: String, title: String, visibility: DocumentVisibility,
                        by editor: DocumentViewer) async throws -> DocumentRecord {
        let upload = try library.beginUpload()
        try upload.write(Data(text.utf8))
        return try await library.publish(upload, originalName: "acte.txt", departmentID: "finances",
                                         metadata: DocumentMetadata(title: title, category: "Délibérations", visibility: visibility),
                                         viewer: editor)
    }

    @Test func checkPrintsOneLinePerProblemAndFailsOnMissingFiles() async throws {
        let (portal, library, _, editor) = try await Self.portal()
        let kept = try await Self.publish(library, "Compte rendu du conseil.", title: "Compte rendu", visibility: .organisation, by: editor)
        _ = await library.extractPending()
        let clean = try await portal.run(["documents", "check"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("documents: OK"))

        let lost = try await Self.publish(library, "Arrêté de voirie.", title: "Arrêté", visibility: .organisation, by: editor)
        try FileManager.default.removeItem(at: library.fileURL(lost.current))
        let orphan = library.storage.url(sha256: String(repeating: "cd", count: 32))
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("orphelin".utf8).write(to: orphan)
        let upload = try library.beginUpload()  // an upload in progress must survive the check
        let broken = try await Self.publish(library, "Texte", title: "Illisible", visibility: .organisation, by: editor)
        let version = try #require(try await library.store.pendingDocumentExtractions().first { $0.sha256 == broken.current.sha256 })
        try await library.store.setDocumentText(versionRowID: version.rowID, text: nil, error: "pdftotext took more than 60 s")

        let result = try await portal.run(["documents", "check"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("missing ") }.count == 1 && lines.contains { $0.contains(lost.current.sha256) })
        #expect(lines.filter { $0.hasPrefix("orphan ") }.count == 1 && lines.contains { $0.contains(String(repeating: "cd", count: 32)) })
        #expect(lines.contains { $0.hasPrefix("not indexed /documents/\(broken.id)") && $0.contains("60 s") })
        #expect(!lines.contains { $0.contains(kept.id) || $0.contains(kept.current.sha256) })
        #expect(result.stderr.contains("1 document file(s) missing"))
        #expect(FileManager.default.fileExists(atPath: upload.url.path))
        upload.discard()
    }

    @Test func searchListsDocumentsAndMembersOnlyOnesOnlyAsAMember() async throws {
        let (portal, library, _, editor) = try await Self.portal()
        let open = try await Self.publish(library, "Subvention zorglub au club.", title: "Subvention publique", visibility: .organisation, by: editor)
        let secret = try await Self.publish(library, "Subvention zorglub réservée.", title: "Subvention réservée", visibility: .department, by: editor)
        _ = await library.extractPending()
        let anonymous = try await portal.run(["search", "zorglub"])
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
        #expect(anonymous.stdout.contains("1 document(s)") && anonymous.stdout.contains(open.id) && !anonymous.stdout.contains(secret.id))
        // Shown once, as a document, not again as an article.
        #expect(anonymous.stdout.contains("0 result(s)"))
        let member = try await portal.run(["search", "--as", "marc", "type:deliberation", "--json"])
        #expect(member.status == 0, "\(member.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(member.stdout.utf8)) as? [String: Any])
        let ids = Set(((json["documents"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        #expect(ids == [open.id, secret.id] && json["documents_total"] as? Int == 2)
        #expect(try await portal.run(["search", "--as", "personne", "zorglub"]).status == 1)
    }
}
