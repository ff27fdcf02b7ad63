import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting
import Testing

/// A word written between angle brackets ("la <Mairie>") is a word to search for, on both stores.
/// PostgreSQL's text-search parser takes "<Mairie>" for an XML tag and drops it unless the text's
/// `<` and `>` become spaces before `to_tsvector` (issue 18; items since 4177be9).
@Suite("Words in angle brackets are searchable")
struct AngleBracketSearchTests {
    @Test(arguments: StoreBackends.all)
    func documentsAreFoundByAWordInAngleBrackets(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let created = try await store.createDocument(
            departmentID: "communication",
            metadata: DocumentMetadata(title: "Horaires de la <Mairie>", category: "<Accueil>", description: "Le <guichet> unique",
                                       tags: ["<urbanisme>"]),
            file: StoredFile(sha256: String(repeating: "c", count: 64), size: 2_048, fileName: "horaires.pdf",
                             mediaType: "application/pdf", kind: "pdf"),
            by: town.admin, now: NewsTown.now)
        for pending in try await store.pendingDocumentExtractions(limit: 10) {
            try await store.setDocumentText(versionRowID: pending.rowID, text: "Permanence de l'<adjoint> le samedi",
                                            error: nil, now: NewsTown.now)
        }
        for word in ["mairie", "Mairie", "accueil", "guichet", "urbanisme", "adjoint"] {
            let results = try await store.searchDocuments(try SearchQuery.parse(word), viewer: town.admin)
            #expect(results.hits.map(\.record.id) == [created.id], "\(backend): \(word)")
        }
    }

    /// Announcements: on PostgreSQL through the generated vector of "v16-announcement-search-brackets".
    @Test(arguments: StoreBackends.all)
    func announcementsAreFoundByAWordInAngleBrackets(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let content = town.content("Travaux à la <Mairie>")
        let created = try await store.createAnnouncement(departmentID: "communication", content: content, by: town.writer,
                                                         now: NewsTown.now)
        let found = try await store.searchAnnouncements(query: "mairie", viewer: town.writer, now: NewsTown.now)
        #expect(found.map(\.id) == [created.id], "\(backend)")
    }
}
