import Foundation
import KiosqueDocuments
import KiosqueModel
import KiosqueStore
import Testing

/// The general search's document part, the "Ma page" block of members-only documents, retention
/// and the storage check as `kiosque documents check` runs it.
struct SearchAndHomeTests {
    /// A members-only PDF and an organisation-wide ODT, both extracted.
    static func twoDocuments(_ town: Town) async throws -> (secret: DocumentRecord, open: DocumentRecord) {
        let secret = try await town.publish("deliberation-budget.pdf", title: "Budget confidentiel", visibility: .department)
        let open = try await town.publish("note-de-service.odt", title: "Note publique")
        #expect(await town.library.extractPending() == 2)
        return (secret, open)
    }

    func ids(_ town: Town, _ text: String, _ viewer: DocumentViewer) async throws -> [String] {
        try await town.store.searchDocuments(try SearchQuery.parse(text), viewer: viewer).hits.map(\.record.id)
    }

    @Test func membersFindMembersOnlyDocumentsByAWordInsideThePDF() async throws {
        let town = try await Town.make()
        let (secret, open) = try await Self.twoDocuments(town)
        for viewer in [town.member, town.editor, town.admin] {
            let results = try await town.store.searchDocuments(try SearchQuery.parse("primitif"), viewer: viewer)
            #expect(results.hits.map(\.record.id) == [secret.id])
            #expect(results.total == 1 && results.organisationWide == 0)
            // The snippet comes from the PDF's text, the matched word highlighted.
            #expect(results.hits[0].snippet.contains { $0.highlighted && $0.text.lowercased().contains("primitif") })
        }
        #expect(try await ids(town, "primitif", town.other).isEmpty)
        let piscine = try await town.store.searchDocuments(try SearchQuery.parse("piscine"), viewer: town.other)
        #expect(piscine.hits.map(\.record.id) == [open.id] && piscine.organisationWide == 1)
        // Unpublished documents leave the search, even for their editor.
        _ = try await town.library.setStatus(documentID: secret.id, .unpublished, viewer: town.editor)
        #expect(try await ids(town, "primitif", town.editor).isEmpty)
    }

    @Test func filtersAloneAreAQueryAndNameDepartmentsCategoriesAndKinds() async throws {
        let town = try await Town.make()
        let (secret, open) = try await Self.twoDocuments(town)
        // Filters without words are accepted by the parser (they used to be "empty").
        #expect(try SearchQuery.parse("type:deliberation").types == ["deliberation"])
        #expect(Set(try await ids(town, "type:deliberation", town.member)) == [secret.id, open.id])
        #expect(try await ids(town, "type:deliberation", town.other) == [open.id])
        #expect(try await ids(town, "type:Délibérations", town.member).count == 2)
        #expect(try await ids(town, "type:pdf", town.member) == [secret.id])
        #expect(try await ids(town, "type:odt", town.other) == [open.id])
        #expect(try await ids(town, "type:note", town.member).isEmpty)
        #expect(try await ids(town, "type:article", town.member).isEmpty)
        #expect(try await ids(town, "service:finances", town.other) == [open.id])
        #expect(try await ids(town, "service:voirie", town.member).isEmpty)
        #expect(try await ids(town, "canal:service-finances", town.other) == [open.id])
        #expect(try await ids(town, "source:service:finances piscine", town.other) == [open.id])
        #expect(try await ids(town, "canal:securite", town.member).isEmpty)
        #expect(try await ids(town, "piscine -piscine", town.member).isEmpty)
        #expect(try await ids(town, "primitif avant:2000-01-01", town.member).isEmpty)
        // The item search does not reject them either; it has no article to offer.
        #expect(try await town.store.search(query: "type:deliberation", userID: town.member.userID).total == 0)
    }

    @Test func maPageListsMembersOnlyDocumentsToMembersOnly() async throws {
        let town = try await Town.make()
        let (secret, _) = try await Self.twoDocuments(town)
        #expect(try await town.store.memberDocuments(viewer: town.member).map(\.id) == [secret.id])
        #expect(try await town.store.memberDocuments(viewer: town.editor).map(\.id) == [secret.id])
        // Not a member: nothing, administrators included (Ma page shows one's own services).
        #expect(try await town.store.memberDocuments(viewer: town.other).isEmpty)
        #expect(try await town.store.memberDocuments(viewer: town.admin).isEmpty)
        _ = try await town.library.setStatus(documentID: secret.id, .unpublished, viewer: town.editor)
        #expect(try await town.store.memberDocuments(viewer: town.member).isEmpty)
    }

    @Test func retentionNeverDeletesDocumentItems() async throws {
        let town = try await Town.make()
        try await town.store.syncCatalog(Catalog(
            sources: [SourceDefinition(id: "presse", url: "https://presse.example.org/rss", title: "Presse")],
            channels: [ChannelDefinition(id: "revue", title: "Revue", sources: ["presse"])],
            departments: [DepartmentDefinition(id: "finances", title: "Finances", categories: ["Délibérations", "Notes"]),
                          DepartmentDefinition(id: "voirie", title: "Voirie")]))
        let old = Date().addingTimeInterval(-400 * 86_400)
        _ = try await town.store.ingest(sourceID: "presse", items: [
            PreparedItem(item: ParsedItem(id: "vieux", title: "Vieil article piscine", link: "https://presse.example.org/v", published: old),
                         contentText: "piscine"),
        ], fetchedAt: old)
        let open = try await town.publish("note-de-service.odt", title: "Note publique")
        _ = try await town.publish("compte-rendu.md", title: "Compte rendu")
        _ = await town.library.extractPending()
        #expect(try await town.store.search(query: "piscine", userID: town.other.userID).total == 2)
        // Documents may be years old: push them back in time, beyond any retention.
        let later = Date().addingTimeInterval(800 * 86_400)
        let deleted = try await town.store.applyRetention(days: 30, maxItemsPerSource: 0, now: later)
        #expect(deleted == 1)
        let left = try await town.store.search(query: "piscine", userID: town.other.userID)
        #expect(left.items.map(\.item.link) == ["/documents/\(open.id)"])
        #expect(try await town.store.counts()["items"] == 2)
        #expect(try await town.store.documents(filter: DocumentFilter(departmentID: "finances"), viewer: town.other).count == 2)
    }

    @Test func storageCheckWhileRunningReportsWithoutRemovingUploads() async throws {
        let town = try await Town.make()
        let record = try await town.publish("deliberation-budget.pdf", title: "Budget")
        let inProgress = try town.upload(Data("%PDF-1.4 en cours".utf8))
        let orphan = town.library.storage.url(sha256: String(repeating: "ab", count: 32))
        try FileManager.default.createDirectory(at: orphan.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("orphelin".utf8).write(to: orphan)
        try FileManager.default.removeItem(at: town.library.fileURL(record.current))
        let report = try await town.library.checkStorage(removeTemporaryFiles: false)
        #expect(report.missing == [record.current.sha256])
        #expect(report.orphans == [String(repeating: "ab", count: 32)])
        #expect(report.temporaryFiles == 1 && report.removedTemporaryFiles == 0)
        #expect(FileManager.default.fileExists(atPath: inProgress.url.path))
        let startUp = try await town.library.checkStorage()
        #expect(startUp.removedTemporaryFiles == 1 && !FileManager.default.fileExists(atPath: inProgress.url.path))
    }
}

extension DocumentError {
    /// Localisation keys per refusal family are tested here; the web tests check both catalogues.
    static let samples: [(DocumentError, String)] = [
        (.tooLarge(limit: 1), "documents_refusal_too_large"),
        (.invalidField(field: "title", message: "x"), "documents_refusal_field_title"),
        (.refusedType(reason: "the file is empty"), "documents_refusal_empty"),
        (.refusedType(reason: "an executable program (ELF)"), "documents_refusal_executable"),
        (.refusedType(reason: "the name says .pdf but the content is PNG"), "documents_refusal_mismatch"),
        (.refusedType(reason: "binary content of an unknown type"), "documents_refusal_type"),
        (.forbidden(action: "x"), "documents_error_generic"),
    ]
}

struct RefusalKeyTests {
    @Test func everyRefusalFamilyHasItsKey() {
        for (error, key) in DocumentError.samples { #expect(error.messageKey == key, "\(error)") }
    }

    @Test func sniffedRefusalsMapToTheirFamily() throws {
        for (fixture, name, key) in [("fake-elf.pdf", "fake-elf.pdf", "documents_refusal_executable"),
                                     ("pixel.png", "pixel.pdf", "documents_refusal_mismatch"),
                                     ("plain-archive.zip", "plain-archive.zip", "documents_refusal_type")] {
            let url = try Town.fixture(fixture)
            do {
                _ = try ContentSniffer.sniff(fileAt: url, name: name)
                Issue.record("\(fixture) accepted")
            } catch { #expect(error.messageKey == key, "\(fixture): \(error)") }
        }
    }
}
