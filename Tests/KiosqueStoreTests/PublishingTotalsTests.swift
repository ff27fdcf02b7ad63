import Foundation
import KiosqueModel
@testable import KiosqueStore
import Testing

@Suite("Publishing figures: daily totals that outlive the raw reading events")
struct PublishingTotalsTests {
    @Test("views, document consultations, channel reads and confirmations add up per day, and the totals survive the retention purge")
    func totalsSurviveThePurge() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        let now = NewsTown.now
        let day = AnnouncementStatistics.day(now)
        let expiring = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Exercice incendie", expireAt: now.addingTimeInterval(86_400), mustRead: true),
            by: town.writer, now: now)
        let lasting = try await store.createAnnouncement(departmentID: "communication", content: town.content("Charte", mustRead: true),
                                                         by: town.writer, now: now)
        let document = try await store.createDocument(
            departmentID: "communication", metadata: DocumentMetadata(title: "Plan d'évacuation"),
            file: StoredFile(sha256: String(repeating: "f", count: 64), size: 10, fileName: "plan.pdf", mediaType: "application/pdf", kind: "pdf"),
            by: town.admin, now: now)
        for viewer in [town.dsiMember, town.grouped, town.outsider] {
            try await store.recordAnnouncementView(id: expiring.id, viewer: viewer, now: now)
            _ = try await store.acknowledgeAnnouncement(id: expiring.id, viewer: viewer, now: now)
            _ = try await store.acknowledgeAnnouncement(id: lasting.id, viewer: viewer, now: now)
            try await store.recordDocumentView(id: document.id, viewer: viewer, now: now)
            try await store.logActivity(action: "read", userID: viewer.userID, detail: "news-communication", at: now)
        }
        try await store.recordAnnouncementView(id: expiring.id, viewer: town.dsiMember, now: now)
        try await store.recordDocumentView(id: document.id, viewer: town.dsiMember, now: now)
        // An unpublished draft or a document someone may not see is not counted.
        let draft = try await store.createAnnouncement(departmentID: "communication", content: town.content("Brouillon", draft: true),
                                                       by: town.writer, now: now)
        try await store.recordAnnouncementView(id: draft.id, viewer: town.outsider, now: now)

        let expected = [PublishingDay(day: day, announcementViews: 4, documentViews: 4, channelReads: 3, acknowledgements: 6)]
        #expect(try await store.departmentDailyTotals(departmentID: "communication", viewer: town.writer, since: now) == expected)
        let documents = try await store.departmentDocumentFigures(departmentID: "communication", viewer: town.writer)
        #expect(documents == [DocumentFigure(id: document.id, title: "Plan d'évacuation", views: 4, recentReaders: 3)])
        let beforeDays = try await store.announcementDays(id: expiring.id, viewer: town.writer, now: now)
        let beforeStats = try await store.announcementStats(id: expiring.id, viewer: town.writer, now: now)
        #expect(beforeStats.views == 4 && beforeStats.readers == 3 && beforeStats.acknowledged == 3)
        let channel = try await store.departmentFigures(departmentID: "communication", viewer: town.writer, now: now).channels
            .first { $0.id == "news-communication" }
        #expect(channel?.days.map(\.reads) == [3] && channel?.days.map(\.readers) == [3])

        // Retention passes: a year later every raw event older than 90 days goes, with the activity log.
        let later = now.addingTimeInterval(365 * 86_400)
        let removed = try await store.purgeReadingEvents(before: later.addingTimeInterval(-90 * 86_400), now: later)
        _ = try await store.purgeActivity(olderThanDays: 90, now: later)
        #expect(removed == 4 + 4 + 3 + 3, "views, document views, channel readers, and the expired must-read's confirmations")
        // The lasting must-read keeps its confirmations (forgetting them would ask its readers again).
        #expect(try await store.unacknowledgedMustRead(viewer: town.dsiMember, now: later).map(\.id).contains(lasting.id) == false)
        #expect(try await store.announcementAcknowledgements(id: lasting.id, viewer: town.writer, now: later)
            .filter { $0.acknowledgedAt != nil }.count == 3)
        #expect(try await store.announcementAcknowledgements(id: expiring.id, viewer: town.writer, now: later)
            .allSatisfy { $0.acknowledgedAt == nil }, "the expired one's list is forgotten")
        // Every total is still there.
        #expect(try await store.departmentDailyTotals(departmentID: "communication", viewer: town.admin, since: now) == expected)
        #expect(try await store.announcementDays(id: expiring.id, viewer: town.writer, now: now) == beforeDays)
        let afterStats = try await store.announcementStats(id: expiring.id, viewer: town.writer, now: later)
        #expect(afterStats.views == 4 && afterStats.readers == 3 && afterStats.acknowledged == 3)
        #expect(try await store.departmentDocumentFigures(departmentID: "communication", viewer: town.writer)
            == [DocumentFigure(id: document.id, title: "Plan d'évacuation", views: 4, recentReaders: 0)])
        let documentDays = try await store.documentDays(id: document.id, viewer: town.writer, now: now)
        #expect(documentDays.map(\.views) == [4] && documentDays.map(\.readers) == [3], "the document's days outlive its raw views")
        let kept = try await store.departmentFigures(departmentID: "communication", viewer: town.writer, now: later).channels
            .first { $0.id == "news-communication" }
        #expect(kept?.days.map(\.reads) == [3] && kept?.days.map(\.readers) == [3])

        // The portal's figures, for administrators only.
        let portal = try await store.portalPublishing(viewer: town.admin, since: now)
        let communication = try #require(portal.departments.first { $0.id == "communication" })
        #expect(communication.announcements == 2 && communication.documents == 1)
        #expect(communication.totals.announcementViews == 4 && communication.totals.acknowledgements == 6)
        #expect(portal.days == expected)
    }

    @Test("only the department's writers and administrators see its figures; only administrators the portal's")
    func rights() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        for viewer in [town.outsider, town.dsiMember, town.rhEditor] {
            await #expect(throws: StoreError.forbidden(what: "department", id: "communication")) {
                try await store.departmentDailyTotals(departmentID: "communication", viewer: viewer, since: NewsTown.now)
            }
            await #expect(throws: StoreError.forbidden(what: "department", id: "communication")) {
                try await store.departmentDocumentFigures(departmentID: "communication", viewer: viewer)
            }
            await #expect(throws: StoreError.forbidden(what: "statistics", id: "portal")) {
                try await store.portalPublishing(viewer: viewer, since: NewsTown.now)
            }
        }
        #expect(try await store.departmentDailyTotals(departmentID: "communication", viewer: town.writer, since: NewsTown.now).isEmpty)
        await #expect(throws: StoreError.notFound(what: "department", id: "nulle-part")) {
            try await store.departmentDailyTotals(departmentID: "nulle-part", viewer: town.admin, since: NewsTown.now)
        }
    }

    @Test("a channel's readers of the day grow with each agent's first read only, without recounting them on every read (v14)")
    func channelReadersCountedOnce() async throws {
        let town = try await NewsTown.make()
        let store = town.store
        let now = NewsTown.now
        _ = try await store.createAnnouncement(departmentID: "communication", content: town.content("Note"), by: town.writer, now: now)
        // Denis reads three times, Gaëlle twice, someone signed out once; and Denis again the next day.
        for (viewer, times) in [(town.dsiMember, 3), (town.grouped, 2)] {
            for _ in 0..<times { try await store.logActivity(action: "read", userID: viewer.userID, detail: "news-communication", at: now) }
        }
        try await store.logActivity(action: "read", userID: nil, detail: "news-communication", at: now)
        try await store.logActivity(action: "read", userID: town.dsiMember.userID, detail: "news-communication", at: now.addingTimeInterval(86_400))
        let channel = try await store.departmentFigures(departmentID: "communication", viewer: town.writer, now: now.addingTimeInterval(86_400))
            .channels.first { $0.id == "news-communication" }
        #expect(channel?.days.map(\.reads) == [6, 1])
        #expect(channel?.days.map(\.readers) == [2, 1])
        let totals = try await store.departmentDailyTotals(departmentID: "communication", viewer: town.writer, since: now)
        #expect(totals.map(\.channelReads) == [6, 1])
        // The trigger no longer counts the day's readers on each read.
        let database = try #require(store as? AppDatabase)
        let trigger = try await database.read("reading the trigger") { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'activity_log_channel_reads'")
        }
        #expect(trigger?.contains("count(") == false)
    }
}
