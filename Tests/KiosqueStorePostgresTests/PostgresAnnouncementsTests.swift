import Foundation
import GRDB
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Announcements on PostgreSQL answer as on SQLite for the same data: the audience checked in SQL
/// on every read, the schedule at the second, approval, must-read confirmations, figures.
@Suite(.postgres)
struct PostgresAnnouncementsTests {
    typealias T = AnnouncementTwins

    @Test func audienceMatrixMatchesSQLite() async throws {
        try await T.with { town in
            let everyone = try await town.create("communication", T.content("Fermeture estivale", pinned: true), by: town.writer)
            let department = try await town.create("communication", T.content("Migration messagerie", audience: .init(departments: ["dsi"]),
                                                                              pinned: true, mustRead: true), by: town.writer)
            let group = try await town.create("communication", T.content("Clôture budgétaire", audience: .init(groups: ["gg-finances"]),
                                                                         pinned: true), by: town.writer)
            let directory = try await town.create("communication", T.content("Inventaire comptable", audience: .init(groups: ["GG-COMPTA"])),
                                                  by: town.writer)
            let prefix = try await town.create("communication", T.content("Préfixe de groupe", audience: .init(groups: ["gg"])), by: town.writer)
            let all = [everyone, department, group, directory, prefix]
            // Who sees what (besides the writer and the administrator, who see all five).
            let expected: [Int64: Set<String>] = [
                town.dsiMember.userID: ["Fermeture estivale", "Migration messagerie"],
                town.grouped.userID: ["Fermeture estivale", "Clôture budgétaire"],
                town.directory.userID: ["Fermeture estivale", "Inventaire comptable"],
                town.outsider.userID: ["Fermeture estivale"],
                town.rhEditor.userID: ["Fermeture estivale"],
                town.rhEditor2.userID: ["Fermeture estivale"],
            ]
            for viewer in town.everybody {
                let listed = try await town.sameAnnouncements("list for \(viewer.userID)") { store, _ in
                    try await store.announcements(viewer: viewer, departmentID: nil, now: T.now, limit: 100)
                }
                let titles = Set(listed.map(\.content.title))
                if let wanted = expected[viewer.userID] {
                    #expect(titles == wanted, "viewer \(viewer.userID)")
                    #expect(listed.allSatisfy { $0.inAudience && !$0.canManage })
                } else {
                    #expect(titles.count == 5, "writer and administrator see every announcement")
                    #expect(listed.allSatisfy { $0.canManage })
                }
                try await town.sameAnnouncements("front page of \(viewer.userID)") { store, _ in
                    try await store.frontPageAnnouncements(viewer: viewer, now: T.now, limit: 10)
                }
                try await town.sameAnnouncements("reminders of \(viewer.userID)") { store, _ in
                    try await store.unacknowledgedMustRead(viewer: viewer, now: T.now)
                }
                for word in ["estivale", "messagerie", "budgetaire", "comptable", "groupe"] {
                    let found = try await town.sameAnnouncements("search \(word) by \(viewer.userID)") { store, _ in
                        try await store.searchAnnouncements(query: word, viewer: viewer, now: T.now, limit: 20)
                    }
                    #expect(found.allSatisfy { titles.contains($0.content.title) }, "search shows only what the list shows")
                }
                for twin in all {
                    let seen = try await town.sameAnnouncements("announcement for \(viewer.userID)") { store, side in
                        try await store.announcement(id: twin.id(side), viewer: viewer, now: T.now).map { [$0] } ?? []
                    }
                    if let title = seen.first?.content.title { #expect(titles.contains(title)) }
                }
            }
            // The front page of the department's member: the unconfirmed must-read first.
            let front = try await town.postgres.frontPageAnnouncements(viewer: town.dsiMember, now: T.now, limit: 10)
            #expect(front.map(\.content.title) == ["Migration messagerie", "Fermeture estivale"])
            // Outside the audience, an announcement looks absent, whatever is asked of it.
            await town.sameError("confirming outside the audience", department) { store, side in
                _ = try await store.acknowledgeAnnouncement(id: department.id(side), viewer: town.outsider, now: T.now)
            }
            await town.sameError("figures outside the audience", group) { store, side in
                _ = try await store.announcementStats(id: group.id(side), viewer: town.outsider, now: T.now)
            }
            await town.sameError("figures for a reader", group) { store, side in
                _ = try await store.announcementStats(id: group.id(side), viewer: town.grouped, now: T.now)
            }
            await #expect(throws: StoreError.notFound(what: "announcement", id: department.postgres)) {
                try await town.postgres.acknowledgeAnnouncement(id: department.postgres, viewer: town.outsider, now: T.now)
            }
            // A targeted announcement is no item (everyone's is).
            let items = try await town.same("items") { store, side in
                try await all.asyncMap { try await store.announcement(id: $0.id(side), viewer: town.admin, now: T.now)?.itemID != nil }
            }
            #expect(items == [true, true, true, true, true], "every live announcement is an item of its news channel (v14)")
        }
    }

    @Test func writersAndDepartmentsMatchSQLite() async throws {
        try await T.with { town in
            for viewer in town.everybody {
                let departments = try await town.same("departments of \(viewer.userID)") { store, _ in
                    try await store.newsDepartments(viewer: viewer)
                }
                try await town.same("press review departments of \(viewer.userID)") { store, _ in
                    try await store.pressReviewDepartments(viewer: viewer)
                }
                for key in ["communication", "rh", "dsi"] {
                    let can = try await town.same("\(viewer.userID) writes for \(key)") { store, _ in
                        try await store.canWriteAnnouncements(departmentID: key, viewer: viewer)
                    }
                    #expect(can == departments.contains { $0.id == key })
                }
            }
            #expect(try await town.postgres.newsDepartments(viewer: town.rhEditor) == [NewsDepartment(id: "rh", title: "Ressources humaines",
                                                                                                       needsApproval: true)])
            for (viewer, key) in [(town.dsiMember, "dsi"), (town.outsider, "communication"), (town.admin, "rh"), (town.writer, "rh")] {
                await town.sameError("\(viewer.userID) writing for \(key)") { store, _ in
                    _ = try await store.createAnnouncement(departmentID: key, content: T.content("Non"), by: viewer, now: T.now)
                }
            }
            await town.sameError("an unknown audience department") { store, _ in
                _ = try await store.createAnnouncement(departmentID: "communication", content: T.content("Non", audience: .init(departments: ["x"])),
                                                       by: town.writer, now: T.now)
            }
        }
    }

    @Test func scheduleAndExpiryAtTheSecondMatchSQLite() async throws {
        try await T.with { town in
            let publish = T.now.addingTimeInterval(3_600), expire = T.now.addingTimeInterval(7_200)
            let note = try await town.create("communication", T.content("Travaux parking", publishAt: publish, expireAt: expire, pinned: true),
                                             by: town.writer)
            let reader = town.outsider
            for time in [publish.addingTimeInterval(-1), publish, expire.addingTimeInterval(-1), expire] {
                let seen = try await town.sameAnnouncements("seen at \(time)") { store, side in
                    try await store.announcement(id: note.id(side), viewer: reader, now: time).map { [$0] } ?? []
                }
                #expect(seen.map(\.status) == (time < publish ? [] : time < expire ? [.published] : [.expired]))
                let front = try await town.sameAnnouncements("front page at \(time)") { store, _ in
                    try await store.frontPageAnnouncements(viewer: reader, now: time, limit: 10)
                }
                #expect(front.count == (time >= publish && time < expire ? 1 : 0))
                let found = try await town.sameAnnouncements("search at \(time)") { store, _ in
                    try await store.searchAnnouncements(query: "parking", viewer: reader, now: time, limit: 20)
                }
                #expect(found.count == (time < publish ? 0 : 1), "archived announcements are still found")
                try await town.sameAnnouncements("writer's view at \(time)") { store, side in
                    try await store.announcement(id: note.id(side), viewer: town.writer, now: time).map { [$0] } ?? []
                }
                try await town.same("epoch at \(time)") { store, _ in try await store.announcementEpoch(now: time) }
            }
            #expect(try await town.postgres.announcementEpoch(now: publish) != (try await town.postgres.announcementEpoch(now: publish.addingTimeInterval(-1))))
            #expect(try await town.same("due before") { store, _ in try await store.publishDueAnnouncements(now: publish.addingTimeInterval(-1)) } == 0)
            #expect(try await town.same("due at") { store, _ in try await store.publishDueAnnouncements(now: publish) } == 1)
            #expect(try await town.same("due again") { store, _ in try await store.publishDueAnnouncements(now: publish) } == 0)
            let listed = try await town.sameAnnouncements("listed") { store, side in
                try await store.announcement(id: note.id(side), viewer: reader, now: publish).map { [$0] } ?? []
            }
            #expect(listed.first?.itemID != nil, "its item in the news channel once published")
            await town.sameError("expiry before publication") { store, _ in
                _ = try await store.createAnnouncement(departmentID: "communication", content: T.content("Dates", publishAt: expire, expireAt: publish),
                                                       by: town.writer, now: T.now)
            }
        }
    }

    @Test func draftsApprovalAndHistoryMatchSQLite() async throws {
        try await T.with { town in
            let draft = try await town.create("communication", T.content("Brouillon", draft: true), by: town.writer)
            for viewer in [town.dsiMember, town.outsider, town.admin, town.rhEditor] {
                let seen = try await town.sameAnnouncements("draft for \(viewer.userID)") { store, side in
                    try await store.announcement(id: draft.id(side), viewer: viewer, now: T.now).map { [$0] } ?? []
                }
                #expect(seen.isEmpty)
            }
            await town.sameError("an outsider editing", draft) { store, side in
                _ = try await store.updateAnnouncement(id: draft.id(side), content: T.content("Publié"), by: town.outsider, now: T.now)
            }
            let steps: [(AnnouncementContent, DocumentViewer)] = [
                (T.content("Brouillon publié"), town.writer), (T.content("Retiré", draft: true), town.writer),
                (T.content("Republié"), town.writer), (T.content("Pour demain", publishAt: T.now.addingTimeInterval(86_400)), town.admin),
                (T.content("Republié"), town.writer), (T.content("Repris", draft: true), town.admin),
            ]
            for (index, (content, viewer)) in steps.enumerated() {
                let at = T.now.addingTimeInterval(Double(index + 1) * 60)
                let saved = try await town.sameAnnouncements("edit \(index)") { store, side in
                    [try await store.updateAnnouncement(id: draft.id(side), content: content, by: viewer, now: at)]
                }
                #expect(saved.first?.content.title == content.title)
                if index == 3 {
                    // Scheduled: an administrator no longer sees it before its time, so cannot edit it.
                    await town.sameError("an administrator editing a scheduled one", draft) { store, side in
                        _ = try await store.updateAnnouncement(id: draft.id(side), content: T.content("Non"), by: town.admin, now: at)
                    }
                }
            }
            let history = try await town.same("history") { store, side in
                try await store.announcementHistory(id: draft.id(side), viewer: town.writer, now: T.now)
            }
            #expect(history.map(\.number) == [7, 6, 5, 4, 3, 2, 1])
            #expect(history.first?.editedBy == "admin")

            // Approval: pending until a second writer approves; whoever submitted cannot approve.
            let note = try await town.create("rh", T.content("Entretiens annuels", mustRead: true), by: town.rhEditor)
            #expect(try await town.postgres.announcement(id: note.postgres, viewer: town.rhEditor2, now: T.now)?.status == .pending)
            await town.sameError("the author approving", note) { store, side in
                _ = try await store.approveAnnouncement(id: note.id(side), by: town.rhEditor, now: T.now)
            }
            await town.sameError("an outsider approving", note) { store, side in
                _ = try await store.approveAnnouncement(id: note.id(side), by: town.outsider, now: T.now)
            }
            let approved = try await town.sameAnnouncements("approved") { store, side in
                [try await store.approveAnnouncement(id: note.id(side), by: town.rhEditor2, now: T.now)]
            }
            #expect(approved.first?.status == .published && approved.first?.approvedBy == "remi" && approved.first?.itemID != nil)
            await town.sameError("approving twice", note) { store, side in
                _ = try await store.approveAnnouncement(id: note.id(side), by: town.rhEditor2, now: T.now)
            }
            // A substantive edit by a writer goes back to approval; pinning does not; an administrator's edit does not.
            var pinned = T.content("Entretiens annuels", mustRead: true)
            pinned.pinned = true
            for (content, viewer, status) in [(pinned, town.rhEditor, AnnouncementStatus.published),
                                              (T.content("Entretiens annuels 2027", mustRead: true), town.rhEditor, .pending),
                                              (T.content("Entretiens annuels 2027", mustRead: true), town.rhEditor2, .pending)] {
                let saved = try await town.sameAnnouncements("rh edit") { store, side in
                    [try await store.updateAnnouncement(id: note.id(side), content: content, by: viewer, now: T.now)]
                }
                #expect(saved.first?.status == status)
            }
            await town.sameError("approving one's own edit", note) { store, side in
                _ = try await store.approveAnnouncement(id: note.id(side), by: town.rhEditor2, now: T.now)
            }
            _ = try await town.sameAnnouncements("approved again") { store, side in
                [try await store.approveAnnouncement(id: note.id(side), by: town.rhEditor, now: T.now)]
            }
            let byAdmin = try await town.sameAnnouncements("admin edit") { store, side in
                [try await store.updateAnnouncement(id: note.id(side), content: T.content("Entretiens 2027", mustRead: true), by: town.admin, now: T.now)]
            }
            #expect(byAdmin.first?.status == .published)

            // Deletion: only writers; the item goes with it.
            await town.sameError("an outsider deleting", note) { store, side in
                try await store.deleteAnnouncement(id: note.id(side), by: town.outsider, now: T.now)
            }
            try await town.same("deleted") { store, side in
                try await store.deleteAnnouncement(id: note.id(side), by: town.rhEditor, now: T.now)
                return try await store.announcement(id: note.id(side), viewer: town.rhEditor, now: T.now) == nil
            }
            let items = try await PostgresRowsProbe.count(town, "SELECT count(*) FROM items")
            #expect(items == 0, "the deleted announcement's item is gone")
        }
    }

    @Test func mustReadConfirmationsAndFiguresMatchSQLite() async throws {
        try await T.with { town in
            let note = try await town.create("communication", T.content("Charte informatique", audience: .init(departments: ["dsi"], groups: ["gg-finances"]),
                                                                        mustRead: true), by: town.writer)
            let later = T.now.addingTimeInterval(60)
            let acked = try await town.sameAnnouncements("confirmed") { store, side in
                [try await store.acknowledgeAnnouncement(id: note.id(side), viewer: town.dsiMember, now: later)]
            }
            #expect(acked.first?.acknowledgedAt == later)
            let again = try await town.sameAnnouncements("confirmed twice") { store, side in
                [try await store.acknowledgeAnnouncement(id: note.id(side), viewer: town.dsiMember, now: later.addingTimeInterval(500))]
            }
            #expect(again.first?.acknowledgedAt == later, "the first confirmation's time stays")
            for viewer in [town.dsiMember, town.grouped] {
                try await town.sameAnnouncements("reminders of \(viewer.userID)") { store, _ in
                    try await store.unacknowledgedMustRead(viewer: viewer, now: later)
                }
            }
            for (viewer, offset) in [(town.dsiMember, 0.0), (town.dsiMember, 10), (town.grouped, 86_400), (town.outsider, 0), (town.writer, 5)] {
                try await town.same("a view by \(viewer.userID)") { store, side in
                    try await store.recordAnnouncementView(id: note.id(side), viewer: viewer, now: later.addingTimeInterval(offset))
                    return true
                }
            }
            let list = try await town.same("who confirmed") { store, side in
                try await store.announcementAcknowledgements(id: note.id(side), viewer: town.writer, now: later)
            }
            #expect(list.map(\.login) == ["gaelle", "denis"], "the unconfirmed first")
            let stats = try await town.same("stats") { store, side in
                try await store.announcementStats(id: note.id(side), viewer: town.admin, now: later)
            }
            #expect(stats == AnnouncementStats(views: 4, readers: 3, acknowledged: 1, audience: 2))
            let days = try await town.same("days") { store, side in
                try await store.announcementDays(id: note.id(side), viewer: town.writer, now: later.addingTimeInterval(2 * 86_400))
            }
            #expect(days.map(\.day) == ["2027-01-15", "2027-01-16", "2027-01-17"])
            #expect(days.map(\.views) == [3, 1, 0])
            #expect(days.map(\.readers) == [2, 1, 0])
            #expect(days.map(\.acknowledged) == [1, 0, 0])
            await town.sameError("the list for a reader", note) { store, side in
                _ = try await store.announcementAcknowledgements(id: note.id(side), viewer: town.grouped, now: later)
            }
            // Raw events go with retention; daily figures and distinct readers stay. An unexpired
            // must-read keeps its confirmations.
            #expect(try await town.same("purged") { store, _ in try await store.purgeAnnouncementViews(before: later.addingTimeInterval(3_600)) } == 3)
            #expect(try await town.same("stats after purge") { store, side in
                try await store.announcementStats(id: note.id(side), viewer: town.admin, now: later)
            } == stats)
            // Once expired, its confirmations go too, and the totals still count them.
            let brief = try await town.create("communication", T.content("Note brève", expireAt: T.now.addingTimeInterval(600), mustRead: true),
                                              by: town.writer)
            try await town.same("brief confirmed") { store, side in
                _ = try await store.acknowledgeAnnouncement(id: brief.id(side), viewer: town.outsider, now: T.now)
                return true
            }
            #expect(try await town.same("purge after expiry") { store, _ in
                try await store.purgeReadingEvents(before: T.now.addingTimeInterval(1_200), now: T.now.addingTimeInterval(1_200))
            } == 1)
            let kept = try await town.same("brief stats") { store, side in
                try await store.announcementStats(id: brief.id(side), viewer: town.writer, now: T.now.addingTimeInterval(1_200))
            }
            #expect(kept.acknowledged == 1)
        }
    }

    @Test func publishingTotalsMatchSQLite() async throws {
        try await T.with { town in
            let note = try await town.create("communication", T.content("Vœux du maire", mustRead: true), by: town.writer)
            try await town.create("communication", T.content("Plus tard", publishAt: T.now.addingTimeInterval(86_400)), by: town.writer)
            try await town.create("rh", T.content("En attente"), by: town.rhEditor)
            for (index, viewer) in [town.outsider, town.dsiMember, town.outsider, town.grouped].enumerated() {
                let at = T.now.addingTimeInterval(Double(index) * 43_200)
                try await town.same("view \(index)") { store, side in
                    try await store.recordAnnouncementView(id: note.id(side), viewer: viewer, now: at)
                    _ = try await store.acknowledgeAnnouncement(id: note.id(side), viewer: viewer, now: at)
                    return true
                }
            }
            for viewer in [town.writer, town.admin] {
                let totals = try await town.same("daily totals for \(viewer.userID)") { store, _ in
                    try await store.departmentDailyTotals(departmentID: "communication", viewer: viewer, since: T.now.addingTimeInterval(-86_400))
                }
                #expect(totals.map(\.announcementViews) == [2, 2])
                #expect(totals.map(\.acknowledgements) == [2, 1])
                let figures = try await town.postgres.departmentFigures(departmentID: "communication", viewer: viewer, now: T.now.addingTimeInterval(86_400))
                let reference = try await town.sqlite.departmentFigures(departmentID: "communication", viewer: viewer, now: T.now.addingTimeInterval(86_400))
                #expect(figures.departmentTitle == reference.departmentTitle)
                #expect(figures.announcements.map { T.comparable($0.announcement) } == reference.announcements.map { T.comparable($0.announcement) })
                #expect(figures.announcements.map(\.stats) == reference.announcements.map(\.stats))
                #expect(figures.announcements.map(\.stats) == [AnnouncementStats(views: 0, readers: 0, acknowledged: 0, audience: 8),
                                                               AnnouncementStats(views: 4, readers: 3, acknowledged: 3, audience: 8)])
                #expect(figures.channels.map { "\($0.id) \($0.subscribers) \($0.days.map { "\($0.day) \($0.reads) \($0.readers)" })" }
                        == reference.channels.map { "\($0.id) \($0.subscribers) \($0.days.map { "\($0.day) \($0.reads) \($0.readers)" })" })
                try await town.same("document figures") { store, _ in
                    try await store.departmentDocumentFigures(departmentID: "communication", viewer: viewer)
                }
            }
            let portal = try await town.same("portal") { store, _ in
                try await store.portalPublishing(viewer: town.admin, since: T.now.addingTimeInterval(-86_400))
            }
            #expect(portal.departments.map(\.id) == ["communication"], "a department with only a pending announcement has not published")
            #expect(portal.departments.first?.totals == PublishingDay(day: "total", announcementViews: 4, acknowledgements: 3))
            for (viewer, key) in [(town.outsider, "communication"), (town.dsiMember, "communication"), (town.writer, "nulle-part")] {
                await town.sameError("totals of \(key) for \(viewer.userID)") { store, _ in
                    _ = try await store.departmentDailyTotals(departmentID: key, viewer: viewer, since: T.now)
                }
                await town.sameError("figures of \(key) for \(viewer.userID)") { store, _ in
                    _ = try await store.departmentFigures(departmentID: key, viewer: viewer, now: T.now)
                }
                await town.sameError("documents of \(key) for \(viewer.userID)") { store, _ in
                    _ = try await store.departmentDocumentFigures(departmentID: key, viewer: viewer)
                }
            }
            await town.sameError("portal for a writer") { store, _ in _ = try await store.portalPublishing(viewer: town.writer, since: T.now) }
        }
    }
}

extension PostgresAnnouncementsTests {
    static func file(_ name: String, hash: String, picture: Bool = false) -> AnnouncementFileInput {
        AnnouncementFileInput(sha256: hash, size: 1_234, fileName: name, mediaType: picture ? "image/png" : "application/pdf",
                              kind: picture ? "image" : "pdf", width: picture ? 640 : nil, height: picture ? 480 : nil,
                              alt: picture ? "Vue de la mairie" : "")
    }

    @Test func picturesAndAttachmentsMatchSQLite() async throws {
        try await T.with { town in
            let open = try await town.create("communication", T.content("Ouverte"), by: town.writer)
            let targeted = try await town.create("communication", T.content("Ciblée", audience: .init(departments: ["dsi"])), by: town.writer)
            let draft = try await town.create("communication", T.content("Brouillon", draft: true), by: town.writer)
            // Files get random ids per store: compare them without.
            func plain(_ files: [AnnouncementFile]) -> [String] {
                files.map { "\($0.role) \($0.file.fileName) \($0.file.sha256) \($0.file.width ?? 0) \($0.file.alt) \($0.addedAt.timeIntervalSince1970)" }
            }
            var fileIDs: [Side: [String]] = [:]
            for twin in [open, targeted, draft] {
                for (index, (role, input)) in [(AnnouncementFileRole.picture, Self.file("vue.png", hash: "AA11", picture: true)),
                                               (.attachment, Self.file("note.pdf", hash: "bb22")),
                                               (.attachment, Self.file("annexe.pdf", hash: "cc33")),
                                               (.picture, Self.file("vue2.png", hash: "dd44", picture: true))].enumerated() {
                    let at = T.now.addingTimeInterval(Double(index))
                    try await town.same("adding \(input.fileName)") { store, side in
                        let (added, unused) = try await store.addAnnouncementFile(announcementID: twin.id(side), role: role, file: input,
                                                                                  by: town.writer, now: at)
                        fileIDs[side, default: []].append(added.id)
                        return plain([added]) + unused
                    }
                }
            }
            // The second picture replaced the first; its stored file is used by the other announcements until the last.
            #expect(try await town.same("blobs") { store, _ in try await store.announcementBlobHashes() } == ["bb22", "cc33", "dd44"])
            for viewer in town.everybody {
                for twin in [open, targeted, draft] {
                    let files = try await town.same("files for \(viewer.userID)") { store, side in
                        plain(try await store.announcementFiles(announcementID: twin.id(side), viewer: viewer, now: T.now))
                    }
                    #expect(files.first?.hasPrefix("picture vue2.png") ?? true, "the picture first")
                }
                let many = try await town.same("files of a list for \(viewer.userID)") { store, side in
                    let byID = try await store.announcementFiles(announcementIDs: [open.id(side), targeted.id(side), draft.id(side)], viewer: viewer,
                                                                 now: T.now)
                    return [open, targeted, draft].map { plain(byID[$0.id(side)] ?? []) }
                }
                #expect(many.map(\.count) == (viewer == town.writer ? [3, 3, 3] : viewer == town.admin || viewer == town.dsiMember ? [3, 3, 0] : [3, 0, 0]))
                let one = try await town.same("one file for \(viewer.userID)") { store, side in
                    let id = fileIDs[side]?[5] ?? ""   // the targeted announcement's first attachment
                    return try await store.announcementFile(announcementID: targeted.id(side), fileID: id, viewer: viewer, now: T.now).map { plain([$0]) }
                }
                #expect((one != nil) == (viewer == town.writer || viewer == town.admin || viewer == town.dsiMember), "viewer \(viewer.userID)")
            }
            await town.sameError("an outsider adding a file", open) { store, side in
                _ = try await store.addAnnouncementFile(announcementID: open.id(side), role: .attachment, file: Self.file("x.pdf", hash: "ee55"),
                                                        by: town.outsider, now: T.now)
            }
            await town.sameError("a reader of the audience adding a file", targeted) { store, side in
                _ = try await store.addAnnouncementFile(announcementID: targeted.id(side), role: .attachment, file: Self.file("x.pdf", hash: "ee55"),
                                                        by: town.dsiMember, now: T.now)
            }
            try await town.same("hashes of the draft") { store, side in
                try await store.announcementFileHashes(announcementID: draft.id(side), by: town.writer, now: T.now).sorted()
            }
            let removed = try await town.same("removing the open one's attachment") { store, side in
                try await store.removeAnnouncementFile(announcementID: open.id(side), fileID: fileIDs[side]?[1] ?? "", by: town.writer, now: T.now)
            }
            #expect(removed.isEmpty, "the other announcements still use it")
            let removedFile = Twin(sqlite: fileIDs[.sqlite]?[1] ?? "", postgres: fileIDs[.postgres]?[1] ?? "")
            await town.sameError("removing it again", open, file: removedFile) { store, side in
                _ = try await store.removeAnnouncementFile(announcementID: open.id(side), fileID: fileIDs[side]?[1] ?? "", by: town.writer, now: T.now)
            }
            try await town.same("unused") { store, _ in try await store.unusedAnnouncementBlobs(["bb22", "ff66", "AA11", "ff66"]) }
            // At most 20 attachments.
            for index in 0..<18 {
                try await town.same("attachment \(index)") { store, side in
                    _ = try await store.addAnnouncementFile(announcementID: draft.id(side), role: .attachment,
                                                            file: Self.file("f\(index).pdf", hash: "f\(index)"), by: town.writer, now: T.now)
                    return true
                }
            }
            await town.sameError("the 21st attachment", draft) { store, side in
                _ = try await store.addAnnouncementFile(announcementID: draft.id(side), role: .attachment, file: Self.file("x.pdf", hash: "ee55"),
                                                        by: town.writer, now: T.now)
            }
        }
    }

    @Test func pressReviewMatchesSQLite() async throws {
        try await T.with { town in
            let items = (0..<4).map { (index: Int) -> PreparedItem in
                let title: String? = index == 3 ? nil : "Article \(index)"
                let published: Date? = index == 2 ? nil : T.now.addingTimeInterval(Double(-index) * 3_600)
                let parsed = ParsedItem(id: "article-\(index)", title: title, link: "http://127.0.0.1:9/article/\(index)", published: published)
                return PreparedItem(item: parsed, contentText: "texte \(index)")
            }
            try await town.same("ingested") { store, _ in
                try await store.ingest(sourceID: "presse", items: items, fetchedAt: T.now).new
            }
            for itemID in [3, 1, 2, 1, 4] as [Int64] {
                try await town.same("adding item \(itemID)") { store, _ in
                    try await store.addToPressReview(departmentID: "communication", itemID: itemID, viewer: town.writer, now: T.now)
                    return true
                }
            }
            let draft = try await town.same("the review") { store, _ in try await store.pressReview(departmentID: "communication", viewer: town.writer) }
            #expect(draft.entries.map(\.itemID) == [3, 1, 2, 4], "each item once, in the order added")
            #expect(draft.entries.filter { $0.title == "—" }.count == 1, "an item without title")
            let ids = draft.entries.map(\.id)
            try await town.same("saved") { store, _ in
                try await store.savePressReview(departmentID: "communication", intro: "Bonjour à tous", comments: [ids[1]: "À lire", ids[3]: "Bref"],
                                                order: [ids[3], 999, ids[0], ids[3]], removed: [ids[2]], viewer: town.writer)
                return try await store.pressReview(departmentID: "communication", viewer: town.writer)
            }
            let saved = try await town.postgres.pressReview(departmentID: "communication", viewer: town.writer)
            #expect(saved.intro == "Bonjour à tous")
            #expect(saved.entries.map(\.itemID) == [4, 3, 1])
            #expect(saved.entries.map(\.comment) == ["Bref", "", "À lire"])
            for viewer in [town.rhEditor, town.outsider, town.admin] {
                await town.sameError("review for \(viewer.userID)") { store, _ in
                    _ = try await store.pressReview(departmentID: "communication", viewer: viewer)
                }
                await town.sameError("adding for \(viewer.userID)") { store, _ in
                    try await store.addToPressReview(departmentID: "communication", itemID: 1, viewer: viewer, now: T.now)
                }
            }
            await town.sameError("an unknown item") { store, _ in
                try await store.addToPressReview(departmentID: "communication", itemID: 99, viewer: town.writer, now: T.now)
            }
            let cleared = try await town.same("cleared") { store, _ in
                try await store.clearPressReview(departmentID: "communication", viewer: town.writer)
                return try await store.pressReview(departmentID: "communication", viewer: town.writer)
            }
            #expect(cleared.entries.isEmpty && cleared.intro.isEmpty)
            // The published review is an announcement of its category, found for the digests.
            try await town.create("communication", T.content("Revue du 15", category: "Revue de presse"), by: town.writer,
                                  now: T.now.addingTimeInterval(60))
            for viewer in town.everybody {
                let reviews = try await town.sameAnnouncements("reviews for \(viewer.userID)") { store, _ in
                    try await store.publishedAnnouncements(category: "Revue de presse", viewer: viewer, since: T.now.addingTimeInterval(-60),
                                                           now: T.now.addingTimeInterval(60))
                }
                #expect(reviews.count == 1)
            }
        }
    }

    @Test func frenchSearchOfAnnouncementsMatchesSQLite() async throws {
        try await T.with { town in
            for (title, audience) in [("Élections professionnelles", AnnouncementAudience.everyone),
                                      ("Les congés d'été des agents", .everyone),
                                      ("Fermeture de la piscine municipale", .init(departments: ["dsi"])),
                                      ("Réunion des élus", .init(groups: ["gg-finances"]))] {
                try await town.create("communication", T.content(title, audience: audience), by: town.writer)
            }
            for query in ["élection", "electIONS", "congé", "conges -piscine", "\"piscine municipale\"", "piscine", "élus", "reunion",
                          "professionnel*", "agent", "zzz", "-piscine"] {
                for viewer in [town.outsider, town.dsiMember, town.grouped, town.writer] {
                    let a = try? await town.sqlite.searchAnnouncements(query: query, viewer: viewer, now: T.now, limit: 20)
                    let b = try? await town.postgres.searchAnnouncements(query: query, viewer: viewer, now: T.now, limit: 20)
                    #expect(Set(a?.map(\.content.title) ?? ["error"]) == Set(b?.map(\.content.title) ?? ["error"]),
                            "\(query) for \(viewer.userID)")
                }
            }
            let found = try await town.postgres.searchAnnouncements(query: "piscine", viewer: town.dsiMember, now: T.now, limit: 20)
            #expect(found.map(\.content.title) == ["Fermeture de la piscine municipale"])
            #expect(try await town.postgres.searchAnnouncements(query: "piscine", viewer: town.outsider, now: T.now, limit: 20).isEmpty)
        }
    }
}

extension PostgresAnnouncementsTests {
    /// Documents' figures read the same rows the same way: documents and their views are written on
    /// SQLite by the document store, copied as they are to PostgreSQL (where the v13 trigger keeps the
    /// department's totals), then every figure is compared.
    @Test func documentFiguresMatchSQLite() async throws {
        try await T.with { town in
            var ids: [String] = []
            for (index, visibility) in [DocumentVisibility.organisation, .department].enumerated() {
                let file = StoredFile(sha256: String(repeating: "\(index)", count: 64), size: 10, fileName: "plan\(index).pdf", mediaType: "application/pdf", kind: "pdf")
                ids.append(try await town.sqlite.createDocument(departmentID: "rh", metadata: DocumentMetadata(title: "Plan \(index)", visibility: visibility),
                                                                file: file, by: town.rhEditor, now: T.now.addingTimeInterval(Double(index - 2) * 86_400)).id)
            }
            for (viewer, hours) in [(town.outsider, 0.0), (town.outsider, 1), (town.rhEditor2, 2), (town.rhEditor2, 30), (town.admin, 31)] {
                for id in ids { try await town.sqlite.recordDocumentView(id: id, viewer: viewer, now: T.now.addingTimeInterval(hours * 3_600)) }
            }
            let rows = try await DatabaseQueue(path: town.sqlite.path).read { db in
                (try Row.fetchAll(db, sql: """
                    SELECT d.id, d.public_id, d.title, d.visibility, d.status, d.created_at, d.updated_at, dep.key FROM documents d
                    JOIN departments dep ON dep.id = d.department_id
                    """).map { "(\($0["id"] as Int64), '\($0["public_id"] as String)', (SELECT id FROM departments WHERE key = '\($0["key"] as String)'), '\($0["title"] as String)', '\($0["visibility"] as String)', '\($0["status"] as String)', \($0["created_at"] as Int64), \($0["updated_at"] as Int64))" },
                 try Row.fetchAll(db, sql: "SELECT document_id, user_id, day, viewed_at FROM document_views ORDER BY id").map {
                    "(\($0["document_id"] as Int64), \($0["user_id"] as Int64), '\($0["day"] as String)', \($0["viewed_at"] as Int64))" },
                 try Row.fetchAll(db, sql: "SELECT document_id, day, views, readers FROM document_daily").map {
                    "(\($0["document_id"] as Int64), '\($0["day"] as String)', \($0["views"] as Int), \($0["readers"] as Int))" })
            }
            #expect(rows.1.count == 8, "the outsider does not see the department's document")
            try await town.psql("""
                INSERT INTO documents (id, public_id, department_id, title, visibility, status, created_at, updated_at) VALUES \(rows.0.joined(separator: ", "));
                INSERT INTO document_views (document_id, user_id, day, viewed_at) VALUES \(rows.1.joined(separator: ", "));
                INSERT INTO document_daily (document_id, day, views, readers) VALUES \(rows.2.joined(separator: ", "));
                """)
            for viewer in [town.rhEditor, town.admin] {
                let figures = try await town.same("document figures for \(viewer.userID)") { store, _ in
                    try await store.departmentDocumentFigures(departmentID: "rh", viewer: viewer)
                }
                #expect(figures.map(\.views) == [5, 3])
                #expect(figures.map(\.recentReaders) == [3, 2])
                let totals = try await town.same("daily totals for \(viewer.userID)") { store, _ in
                    try await store.departmentDailyTotals(departmentID: "rh", viewer: viewer, since: T.now.addingTimeInterval(-3 * 86_400))
                }
                #expect(totals.map(\.documentViews) == [4, 4], "the trigger counts each view in the department's day")
            }
            for viewer in [town.rhEditor2, town.admin, town.outsider, town.dsiMember] {
                for id in ids {
                    let shared = Twin(sqlite: id, postgres: id)
                    if viewer == town.rhEditor2 || viewer == town.admin {
                        let days = try await town.same("days of \(id) for \(viewer.userID)") { store, _ in
                            try await store.documentDays(id: id, viewer: viewer, now: T.now.addingTimeInterval(2 * 86_400))
                        }
                        #expect(days.first?.day == (id == ids[0] ? "2027-01-13" : "2027-01-14") && days.last?.day == "2027-01-17")
                    } else {
                        await town.sameError("days of \(id) for \(viewer.userID)", shared) { store, _ in
                            _ = try await store.documentDays(id: id, viewer: viewer, now: T.now)
                        }
                    }
                }
            }
            let portal = try await town.same("portal") { store, _ in
                try await store.portalPublishing(viewer: town.admin, since: T.now.addingTimeInterval(-3 * 86_400))
            }
            #expect(portal.departments.map(\.id) == ["rh"])
            #expect(portal.departments.first?.documents == 2)
        }
    }
}

/// Counts on the PostgreSQL twin.
enum PostgresRowsProbe {
    static func count(_ town: AnnouncementTwins, _ sql: String) async throws -> Int {
        let server = try PostgresCluster.current(), database = town.postgres.configuration.database
        let text = try await blockingWork { try server.psql(sql, database: database) }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

extension Array where Element: Sendable {
    /// `map` with an asynchronous transform, in order.
    func asyncMap<U>(_ transform: (Element) async throws -> U) async rethrows -> [U] {
        var result: [U] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
