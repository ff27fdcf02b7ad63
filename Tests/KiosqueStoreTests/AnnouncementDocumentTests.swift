import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting
import Testing

/// Announcements carry documents of their department as attachments (migration "v15-announcement-documents").
@Suite("Documents attached to announcements in the store")
struct AnnouncementDocumentTests {
    /// Communication's documents: one for the organisation, one for its members, one unpublished;
    /// and one of RH.
    struct Shelf {
        let town: NewsTown
        let open: String, members: String, unpublished: String, rh: String
    }

    static func shelf(_ backend: StoreBackend) async throws -> Shelf {
        let town = try await NewsTown.make(backend)
        let store = town.store
        func document(_ title: String, in department: String, _ visibility: DocumentVisibility = .organisation,
                      sha: Character) async throws -> String {
            try await store.createDocument(
                departmentID: department, metadata: DocumentMetadata(title: title, visibility: visibility),
                file: StoredFile(sha256: String(repeating: sha, count: 64), size: 2_048, fileName: "\(sha).pdf",
                                 mediaType: "application/pdf", kind: "pdf"),
                by: town.admin, now: NewsTown.now).id
        }
        let open = try await document("Plan de mobilité", in: "communication", sha: "a")
        let members = try await document("Charte graphique interne", in: "communication", .department, sha: "b")
        let unpublished = try await document("Projet de budget", in: "communication", sha: "c")
        _ = try await store.setDocumentStatus(id: unpublished, .unpublished, now: NewsTown.now)
        let rh = try await document("Calendrier des entretiens", in: "rh", sha: "d")
        return Shelf(town: town, open: open, members: members, unpublished: unpublished, rh: rh)
    }

    static func attached(_ content: AnnouncementContent, _ ids: [String]?) -> AnnouncementContent {
        var content = content
        content.attachedDocuments = ids
        return content
    }

    @Test("attached in the given order, duplicates once; replaced by an edit, kept when the edit leaves them out",
          arguments: StoreBackends.all)
    func attachingAndOrdering(_ backend: StoreBackend) async throws {
        let shelf = try await Self.shelf(backend)
        let town = shelf.town, store = town.store
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Déménagement"), [shelf.members, shelf.open]),
            by: town.writer, now: NewsTown.now)
        let listed = try await store.announcementDocuments(announcementID: note.id, viewer: town.writer, now: NewsTown.now)
        #expect(listed.map(\.id) == [shelf.members, shelf.open])
        #expect(listed.map(\.title) == ["Charte graphique interne", "Plan de mobilité"])
        #expect(listed.first?.kind == "pdf" && listed.first?.size == 2_048 && listed.first?.mediaType == "application/pdf")

        _ = try await store.updateAnnouncement(id: note.id, content: Self.attached(town.content("Déménagement"),
                                                                                  [shelf.open, shelf.members, shelf.open]),
                                               by: town.writer, now: NewsTown.now)
        #expect(try await store.announcementDocuments(announcementID: note.id, viewer: town.writer, now: NewsTown.now).map(\.id)
                == [shelf.open, shelf.members])
        // An edit without a list of documents leaves them as they are.
        _ = try await store.updateAnnouncement(id: note.id, content: town.content("Déménagement du service"), by: town.writer,
                                               now: NewsTown.now)
        #expect(try await store.announcementDocuments(announcementID: note.id, viewer: town.writer, now: NewsTown.now).map(\.id)
                == [shelf.open, shelf.members])
        // An empty list removes them.
        _ = try await store.updateAnnouncement(id: note.id, content: Self.attached(town.content("Déménagement"), []), by: town.writer,
                                               now: NewsTown.now)
        #expect(try await store.announcementDocuments(announcementID: note.id, viewer: town.writer, now: NewsTown.now).isEmpty)
        // Several announcements in one read, keyed by announcement.
        let other = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Autre"), [shelf.open]), by: town.writer, now: NewsTown.now)
        let both = try await store.announcementDocuments(announcementIDs: [note.id, other.id], viewer: town.outsider, now: NewsTown.now)
        #expect(both[note.id] == nil)
        #expect(both[other.id]?.map(\.id) == [shelf.open])
    }

    @Test("only documents of the announcement's own department: another's is refused naming it, and nothing changes",
          arguments: StoreBackends.all)
    func refusingAnotherDepartmentsDocument(_ backend: StoreBackend) async throws {
        let shelf = try await Self.shelf(backend)
        let town = shelf.town, store = town.store
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Rentrée"), [shelf.open]), by: town.writer,
            now: NewsTown.now)
        let refusal = StoreError.conflict(
            what: "document \(shelf.rh)",
            detail: "document \(shelf.rh) belongs to another department: only documents of communication may be attached")
        await #expect(throws: refusal) {
            try await store.updateAnnouncement(id: note.id, content: Self.attached(town.content("Rentrée modifiée"), [shelf.rh]),
                                               by: town.admin, now: NewsTown.now)
        }
        // The whole edit was refused: title and attachments as before.
        #expect(try await store.announcement(id: note.id, viewer: town.writer, now: NewsTown.now)?.content.title == "Rentrée")
        #expect(try await store.announcementDocuments(announcementID: note.id, viewer: town.writer, now: NewsTown.now).map(\.id)
                == [shelf.open])
        // An unknown document, or one the writer may not see (unpublished, not an editor), is not found.
        for hidden in ["0123456789abcdef0123456789abcdef", shelf.unpublished] {
            await #expect(throws: StoreError.notFound(what: "document", id: hidden)) {
                try await store.updateAnnouncement(id: note.id, content: Self.attached(town.content("Rentrée"), [hidden]),
                                                   by: town.writer, now: NewsTown.now)
            }
        }
        // A new announcement with another department's document is not created at all.
        let before = try await store.announcements(viewer: town.writer, now: NewsTown.now).count
        await #expect(throws: StoreError.self) {
            try await store.createAnnouncement(departmentID: "communication", content: Self.attached(town.content("Refusée"), [shelf.rh]),
                                               by: town.writer, now: NewsTown.now)
        }
        #expect(try await store.announcements(viewer: town.writer, now: NewsTown.now).count == before)
    }

    @Test("a viewer outside a document's audience sees the announcement without that attachment", arguments: StoreBackends.all)
    func attachmentsFollowTheDocumentsRights(_ backend: StoreBackend) async throws {
        let shelf = try await Self.shelf(backend)
        let town = shelf.town, store = town.store
        // The administrator may attach the unpublished document (they see it); readers never get it.
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Nouvelle organisation"), [shelf.members, shelf.open]),
            by: town.writer, now: NewsTown.now)
        _ = try await store.updateAnnouncement(
            id: note.id, content: Self.attached(town.content("Nouvelle organisation"), [shelf.unpublished, shelf.members, shelf.open]),
            by: town.admin, now: NewsTown.now)
        let seen = { (viewer: DocumentViewer) async throws -> [String] in
            try await store.announcementDocuments(announcementID: note.id, viewer: viewer, now: NewsTown.now).map(\.id)
        }
        #expect(try await seen(town.admin) == [shelf.unpublished, shelf.members, shelf.open])
        #expect(try await seen(town.writer) == [shelf.members, shelf.open])   // a member of Communication, not an editor
        for outsider in [town.outsider, town.dsiMember, town.rhEditor] {
            #expect(try await store.announcement(id: note.id, viewer: outsider, now: NewsTown.now) != nil)
            #expect(try await seen(outsider) == [shelf.open], "viewer \(outsider.userID)")
        }
        // A writer who may not see the unpublished document re-saves the list: it stays, after theirs.
        _ = try await store.updateAnnouncement(id: note.id, content: Self.attached(town.content("Nouvelle organisation"), [shelf.open]),
                                               by: town.writer, now: NewsTown.now)
        #expect(try await seen(town.admin) == [shelf.open, shelf.unpublished])
        #expect(try await seen(town.writer) == [shelf.open])
        // An announcement hidden from the agent lists nothing, whatever its documents.
        let targeted = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Pour la DSI", audience: .init(departments: ["dsi"])),
                                                                  [shelf.open]),
            by: town.writer, now: NewsTown.now)
        #expect(try await store.announcementDocuments(announcementID: targeted.id, viewer: town.outsider, now: NewsTown.now).isEmpty)
        #expect(try await store.announcementDocuments(announcementID: targeted.id, viewer: town.dsiMember, now: NewsTown.now)
                .map(\.id) == [shelf.open])
    }

    @Test("deleting a document removes it from the announcements it was attached to", arguments: StoreBackends.all)
    func deletingADocumentRemovesTheAttachment(_ backend: StoreBackend) async throws {
        let shelf = try await Self.shelf(backend)
        let town = shelf.town, store = town.store
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: Self.attached(town.content("Travaux"), [shelf.open, shelf.members]),
            by: town.writer, now: NewsTown.now)
        _ = try await store.deleteDocument(id: shelf.open, by: town.admin, login: "admin", now: NewsTown.now)
        #expect(try await store.announcementDocuments(announcementID: note.id, viewer: town.admin, now: NewsTown.now).map(\.id)
                == [shelf.members])
        #expect(try await store.announcement(id: note.id, viewer: town.outsider, now: NewsTown.now) != nil)
        // Deleting the announcement leaves the document.
        try await store.deleteAnnouncement(id: note.id, by: town.writer, now: NewsTown.now)
        #expect(try await store.document(id: shelf.members, viewer: town.admin) != nil)
    }
}
