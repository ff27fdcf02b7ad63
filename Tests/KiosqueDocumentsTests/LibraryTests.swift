import Foundation
import KiosqueDocuments
import KiosqueModel
import KiosqueStore
import Testing

/// Rights, the document channel, and search by words inside the files.
struct LibraryTests {
    @Test func onlyEditorsAndAdminsPublishAndOnlyAdminsDelete() async throws {
        let town = try await Town.make()
        for viewer in [town.member, town.other] {
            await #expect(throws: DocumentError.forbidden(action: "publish in finances")) {
                _ = try await town.publish("compte-rendu.md", by: viewer)
            }
        }
        #expect(town.storedFiles().filter { !$0.hasPrefix("tmp/") }.isEmpty)
        let record = try await town.publish("compte-rendu.md", visibility: .department, by: town.admin)
        await #expect(throws: DocumentError.notFound(what: "document", id: record.id)) {
            _ = try await town.library.setStatus(documentID: record.id, .unpublished, viewer: town.other)
        }
        await #expect(throws: DocumentError.forbidden(action: "unpublish")) {
            _ = try await town.library.setStatus(documentID: record.id, .unpublished, viewer: town.member)
        }
        await #expect(throws: DocumentError.forbidden(action: "delete a document")) {
            try await town.library.delete(documentID: record.id, viewer: town.editor, login: "edith")
        }
        #expect(try await town.library.setStatus(documentID: record.id, .unpublished, viewer: town.editor).status == .unpublished)
        // Unpublished: archived for editors, gone for members.
        #expect(try await town.store.document(id: record.id, viewer: town.member) == nil)
        #expect(try await town.store.document(id: record.id, viewer: town.editor) != nil)
    }

    @Test func membersOnlyDocumentsNeverReachOtherAgents() async throws {
        let town = try await Town.make()
        let secret = try await town.publish("deliberation-budget.pdf", title: "Budget confidentiel", visibility: .department)
        let open = try await town.publish("note-de-service.odt", title: "Note publique")
        _ = await town.library.extractPending()
        for viewer in [town.member, town.editor, town.admin] {
            #expect(try await town.store.document(id: secret.id, viewer: viewer) != nil)
            let found = try await town.store.documents(filter: DocumentFilter(query: "primitif"), viewer: viewer)
            #expect(found.map(\.id) == [secret.id])
        }
        #expect(try await town.store.document(id: secret.id, viewer: town.other) == nil)
        #expect(try await town.store.documents(filter: DocumentFilter(query: "primitif"), viewer: town.other).isEmpty)
        #expect(try await town.store.documents(filter: DocumentFilter(departmentID: "finances"), viewer: town.other).map(\.id) == [open.id])
        // Nor through items: only the organisation-wide document is in the channel and the item search.
        #expect(try await town.store.search(query: "primitif", userID: town.other.userID).total == 0)
        #expect(try await town.store.search(query: "piscine", userID: town.other.userID).total == 1)
    }

    @Test func documentChannelFeedsMaPageAndUnreadCounts() async throws {
        let town = try await Town.make()
        let catalogue = try await town.store.catalogue(userID: town.other.userID)
        let bouquet = try #require(catalogue.bouquets.first { $0.id == "documents-services" })
        #expect(bouquet.title == "Documents des services")
        #expect(bouquet.channels.map(\.channel.id).sorted() == ["service-finances", "service-voirie"])
        #expect(bouquet.channels.allSatisfy { $0.kind == "documents" && $0.sources.isEmpty })
        try await town.store.subscribe(userID: town.other.userID, channelID: "service-finances")
        _ = try await town.publish("deliberation-budget.pdf", title: "Délibération budget")
        _ = try await town.publish("note-de-service.odt", title: "Réservée", visibility: .department)
        _ = await town.library.extractPending()
        let home = try await town.store.homePage(userID: town.other.userID, limit: 10)
        let channel = try #require(home.channels.first { $0.channel.id == "service-finances" })
        #expect(channel.unread == 1)
        // The catalogue sync keeps the bouquet and the channels.
        try await town.store.syncCatalog(Catalog(departments: [DepartmentDefinition(id: "finances", title: "Finances et budget")]))
        let again = try await town.store.catalogue(userID: town.other.userID)
        let kept = try #require(again.bouquets.first { $0.id == "documents-services" })
        #expect(kept.channels.map(\.channel.title) == ["Finances et budget"])
        // A word inside the PDF finds the document through the ordinary item search too.
        let hits = try await town.store.search(query: "primitif", userID: town.other.userID)
        #expect(hits.items.map(\.item.title) == ["Délibération budget"])
    }

    @Test func searchSyntaxWithServiceAndType() async throws {
        let town = try await Town.make()
        let pdf = try await town.publish("deliberation-budget.pdf", title: "Budget")
        _ = await town.library.extractPending()
        let viewer = town.member
        #expect(try await town.store.documents(filter: DocumentFilter(query: "budget service:finances"), viewer: viewer).map(\.id) == [pdf.id])
        #expect(try await town.store.documents(filter: DocumentFilter(query: "budget service:voirie"), viewer: viewer).isEmpty)
        #expect(try await town.store.documents(filter: DocumentFilter(query: "budget type:deliberation"), viewer: viewer).map(\.id) == [pdf.id])
        #expect(try await town.store.documents(filter: DocumentFilter(query: "budget type:note"), viewer: viewer).isEmpty)
        #expect(try await town.store.documents(filter: DocumentFilter(query: "budget -primitif"), viewer: viewer).isEmpty)
    }

    @Test func metadataIsValidatedFieldByField() async throws {
        let town = try await Town.make()
        let finances = try #require(try await town.store.documentDepartment(id: "finances", viewer: town.editor))
        #expect(throws: DocumentError.invalidField(field: "title", message: "a title is required")) {
            _ = try DocumentLibrary.validate(DocumentMetadata(title: "  "), department: finances)
        }
        #expect(throws: DocumentError.self) { _ = try DocumentLibrary.validate(DocumentMetadata(title: "t", category: "Autre"), department: finances) }
        #expect(throws: DocumentError.self) { _ = try DocumentLibrary.validate(DocumentMetadata(title: "t", actDate: "2025-02-30"), department: finances) }
        #expect(throws: DocumentError.self) { _ = try DocumentLibrary.metadata(fields: ["title": "t", "visibility": "public"]) }
        let ok = try DocumentLibrary.validate(try DocumentLibrary.metadata(fields: [
            "title": " Budget ", "tags": "Budget, conseil,budget", "date": "2024-02-29", "visibility": "department",
        ]), department: finances)
        #expect(ok.title == "Budget" && ok.tags == ["budget", "conseil"] && ok.visibility == .department && ok.actDate == "2024-02-29")
    }
}
