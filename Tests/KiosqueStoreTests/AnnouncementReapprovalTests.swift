import Foundation
import KiosqueModel
@testable import KiosqueStore
import Testing

@Suite("Editing a published announcement in a department with approval")
struct AnnouncementReapprovalTests {
    @Test("a writer's substantive edit goes back to approval, hidden meanwhile; pinning, an administrator's edit or no approval keep it published")
    func substantiveEditsAreApprovedAgain() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        let now = NewsTown.now
        let created = try await store.createAnnouncement(departmentID: "rh", content: town.content("Entretiens annuels"),
                                                         by: town.rhEditor, now: now)
        #expect(created.status == .pending)
        let approved = try await store.approveAnnouncement(id: created.id, by: town.rhEditor2, now: now)
        #expect(approved.status == .published && approved.itemID != nil)

        // Pinning it changes nothing readers were approved to read.
        var content = approved.content
        content.pinned = true
        #expect(try await store.updateAnnouncement(id: created.id, content: content, by: town.rhEditor, now: now).status == .published)

        // A new title: back to approval, out of the readers' sight and of the news channel.
        content.title = "Entretiens annuels — nouveau calendrier"
        let edited = try await store.updateAnnouncement(id: created.id, content: content, by: town.rhEditor, now: now)
        #expect(edited.status == .pending)
        #expect(edited.itemID == nil)
        #expect(edited.approvedBy == nil)
        #expect(try await store.announcement(id: created.id, viewer: town.outsider, now: now) == nil)
        // Its writer cannot approve her own change; the second writer can.
        await #expect(throws: StoreError.forbidden(what: "announcement", id: created.id)) {
            try await store.approveAnnouncement(id: created.id, by: town.rhEditor, now: now)
        }
        let again = try await store.approveAnnouncement(id: created.id, by: town.rhEditor2, now: now)
        #expect(again.status == .published && again.itemID != nil)
        #expect(try await store.announcement(id: created.id, viewer: town.outsider, now: now)?.content.title
                == "Entretiens annuels — nouveau calendrier")

        // The second writer's own edit of the body: now the author approves it.
        content.bodyMarkdown = "Un autre texte"
        #expect(try await store.updateAnnouncement(id: created.id, content: content, by: town.rhEditor2, now: now).status == .pending)
        await #expect(throws: StoreError.forbidden(what: "announcement", id: created.id)) {
            try await store.approveAnnouncement(id: created.id, by: town.rhEditor2, now: now)
        }
        #expect(try await store.approveAnnouncement(id: created.id, by: town.rhEditor, now: now).status == .published)

        // The audience widened: approved again too.
        content.audience = AnnouncementAudience(departments: ["dsi"])
        #expect(try await store.updateAnnouncement(id: created.id, content: content, by: town.rhEditor, now: now).status == .pending)
        #expect(try await store.approveAnnouncement(id: created.id, by: town.rhEditor2, now: now).status == .published)

        // An administrator approves, so their edit stays published.
        content.title = "Entretiens annuels (corrigé)"
        #expect(try await store.updateAnnouncement(id: created.id, content: content, by: town.admin, now: now).status == .published)

        // Without approval in the department, edits stay published.
        let news = try await store.createAnnouncement(departmentID: "communication", content: town.content("Vœux"), by: town.writer, now: now)
        var newsContent = news.content
        newsContent.title = "Vœux du maire"
        #expect(try await store.updateAnnouncement(id: news.id, content: newsContent, by: town.writer, now: now).status == .published)
        // The history kept every version.
        #expect(try await store.announcementHistory(id: created.id, viewer: town.rhEditor, now: now).count == 6)
    }
}
