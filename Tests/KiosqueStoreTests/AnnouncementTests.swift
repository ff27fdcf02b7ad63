import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting
import Testing

/// A portal with three departments (Communication publishes, RH wants approval), and one agent per role.
struct NewsTown {
    static let now = Town.now
    let store: any PortalStore
    let writer: DocumentViewer     // member of communication (publisher: true), not an editor
    let rhEditor: DocumentViewer   // editor of rh (approval: true)
    let rhEditor2: DocumentViewer
    let dsiMember: DocumentViewer
    let grouped: DocumentViewer    // directory group gg-finances, no department
    let outsider: DocumentViewer
    let admin: DocumentViewer

    static let catalog = Catalog(
        sources: Town.catalog.sources, channels: Town.catalog.channels, bouquets: Town.catalog.bouquets,
        departments: [
            DepartmentDefinition(id: "communication", title: "Communication", publisher: true),
            DepartmentDefinition(id: "rh", title: "Ressources humaines", approval: true),
            DepartmentDefinition(id: "dsi", title: "Informatique", groups: ["gg-dsi"]),
        ])

    static func make(_ backend: StoreBackend = StoreBackends.sqlite) async throws -> NewsTown {
        let store = try await backend.make()
        try await store.syncCatalog(catalog, now: now)
        func user(_ login: String, admin: Bool = false) async throws -> DocumentViewer {
            let id = try await store.createUser(NewUser(login: login, name: login.capitalized, isAdmin: admin), at: now).id
            return DocumentViewer(userID: id, isAdmin: admin)
        }
        let town = NewsTown(store: store, writer: try await user("claire"), rhEditor: try await user("rose"),
                            rhEditor2: try await user("remi"), dsiMember: try await user("denis"),
                            grouped: try await user("gaelle"), outsider: try await user("olivier"),
                            admin: try await user("admin", admin: true))
        try await store.setMembership(userID: town.writer.userID, departmentID: "communication", isEditor: false)
        try await store.setMembership(userID: town.rhEditor.userID, departmentID: "rh", isEditor: true)
        try await store.setMembership(userID: town.rhEditor2.userID, departmentID: "rh", isEditor: true)
        try await store.setMembership(userID: town.dsiMember.userID, departmentID: "dsi", isEditor: false)
        try await store.setUserGroups(userID: town.grouped.userID, groups: ["cn=GG-Finances,ou=groups,dc=ville,dc=local"])
        return town
    }

    var everybody: [DocumentViewer] { [writer, rhEditor, rhEditor2, dsiMember, grouped, outsider, admin] }

    /// Every agent follows the bouquet "Actualités internes" (once its channels exist).
    func followNews() async throws {
        for viewer in everybody {
            _ = try await store.subscribe(userID: viewer.userID, bouquetID: AnnouncementSchema.bouquetKey, at: NewsTown.now)
        }
    }

    func content(_ title: String, audience: AnnouncementAudience = .everyone, publishAt: Date = NewsTown.now,
                 expireAt: Date? = nil, pinned: Bool = false, mustRead: Bool = false, draft: Bool = false) -> AnnouncementContent {
        AnnouncementContent(title: title, summary: "Résumé de \(title)", bodyMarkdown: "Le **texte** de \(title)",
                            bodyHTML: "<p>Le <strong>texte</strong> de \(title)</p>", bodyText: "Le texte de \(title)",
                            category: "Note de service", audience: audience, publishAt: publishAt, expireAt: expireAt,
                            pinned: pinned, mustRead: mustRead, isDraft: draft)
    }

    /// Every place an announcement could show for `viewer`, with the title looked for.
    func surfaces(_ title: String, word: String, viewer: DocumentViewer, at time: Date = NewsTown.now) async throws -> [String: Bool] {
        let store = store
        let mine = try await store.announcements(viewer: viewer, now: time).contains { $0.content.title == title }
        let front = try await store.frontPageAnnouncements(viewer: viewer, now: time).contains { $0.content.title == title }
        let found = try await store.searchAnnouncements(query: word, viewer: viewer, now: time).contains { $0.content.title == title }
        let items = try await store.search(query: word, userID: viewer.userID, now: time).items.contains { $0.item.title == title }
        let channel = (try? await store.channelPage(channelID: "news-communication", userID: viewer.userID))?.items.contains { $0.title == title } ?? false
        let home = try await store.homePage(userID: viewer.userID).items.contains { $0.title == title }
        return ["list": mine, "front": front, "search": found, "itemSearch": items, "channel": channel, "home": home]
    }
}

@Suite("Announcements in the store")
struct AnnouncementTests {
    @Test("audience matrix: everyone, a department, a directory group × member, outsider, writer, administrator", arguments: StoreBackends.all)
    func audienceMatrix(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let everyone = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Fermeture estivale zorglub", pinned: true), by: town.writer, now: NewsTown.now)
        let department = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Migration messagerie zorglub",
                                                                 audience: .init(departments: ["dsi"]), pinned: true),
            by: town.writer, now: NewsTown.now)
        let group = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Clôture budgétaire zorglub",
                                                                 audience: .init(groups: ["gg-finances"]), pinned: true),
            by: town.writer, now: NewsTown.now)
        #expect(everyone.status == .published && department.status == .published && group.status == .published)
        try await town.followNews()
        #expect(everyone.itemID != nil)
        #expect(department.itemID != nil && group.itemID != nil, "a live targeted announcement is an item of the news channel, for its audience")

        // Everyone: every agent sees it everywhere, including as an item of the news channel.
        for viewer in [town.writer, town.dsiMember, town.grouped, town.outsider, town.admin] {
            let seen = try await town.surfaces("Fermeture estivale zorglub", word: "estivale", viewer: viewer)
            #expect(seen == ["list": true, "front": true, "search": true, "itemSearch": true, "channel": true, "home": true],
                    "viewer \(viewer.userID)")
            #expect(try await store.announcement(id: everyone.id, viewer: viewer, now: NewsTown.now) != nil)
        }
        // Targeted: its audience sees it everywhere, as an item of the news channel too; the writers and
        // administrators see it, but not as an item; no one else sees it anywhere.
        let cases: [(Announcement, String, String, [DocumentViewer], [DocumentViewer])] = [
            (department, "Migration messagerie zorglub", "messagerie", [town.dsiMember], [town.grouped, town.outsider, town.rhEditor]),
            (group, "Clôture budgétaire zorglub", "budgétaire", [town.grouped], [town.dsiMember, town.outsider, town.rhEditor]),
        ]
        for (announcement, title, word, members, others) in cases {
            for viewer in members {
                let seen = try await town.surfaces(title, word: word, viewer: viewer)
                #expect(seen == ["list": true, "front": true, "search": true, "itemSearch": true, "channel": true, "home": true])
                #expect(try await store.announcement(id: announcement.id, viewer: viewer, now: NewsTown.now)?.inAudience == true)
            }
            for viewer in others {
                let seen = try await town.surfaces(title, word: word, viewer: viewer)
                #expect(seen.values.allSatisfy { !$0 }, "\(title) leaks to \(viewer.userID): \(seen)")
                #expect(try await store.announcement(id: announcement.id, viewer: viewer, now: NewsTown.now) == nil)
                await #expect(throws: StoreError.notFound(what: "announcement", id: announcement.id)) {
                    try await store.acknowledgeAnnouncement(id: announcement.id, viewer: viewer, now: NewsTown.now)
                }
                await #expect(throws: StoreError.notFound(what: "announcement", id: announcement.id)) {
                    try await store.announcementStats(id: announcement.id, viewer: viewer, now: NewsTown.now)
                }
            }
            for viewer in [town.writer, town.admin] {
                let seen = try await town.surfaces(title, word: word, viewer: viewer)
                #expect(seen["list"] == true && seen["search"] == true)
                #expect(seen["front"] == false, "À la une is for the audience only")
                #expect(seen["itemSearch"] == false && seen["channel"] == false)
                #expect(try await store.announcement(id: announcement.id, viewer: viewer, now: NewsTown.now)?.canManage == true)
            }
        }
    }

    @Test("publication and expiry at the second: invisible before publish_at, archived from expire_at", arguments: StoreBackends.all)
    func schedule(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let publish = NewsTown.now.addingTimeInterval(3_600), expire = NewsTown.now.addingTimeInterval(7_200)
        let created = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Travaux parking zorglub", publishAt: publish, expireAt: expire, pinned: true),
            by: town.writer, now: NewsTown.now)
        #expect(created.status == .scheduled)
        #expect(created.itemID == nil)
        let reader = town.outsider
        let before = publish.addingTimeInterval(-1)
        #expect(try await store.announcement(id: created.id, viewer: reader, now: before) == nil)
        #expect(try await town.surfaces("Travaux parking zorglub", word: "parking", viewer: reader, at: before).values.allSatisfy { !$0 })
        #expect(try await store.announcement(id: created.id, viewer: town.writer, now: before)?.status == .scheduled)
        #expect(try await store.publishDueAnnouncements(now: before) == 0)

        #expect(try await store.announcement(id: created.id, viewer: reader, now: publish)?.status == .published)
        #expect(try await store.frontPageAnnouncements(viewer: reader, now: publish).map(\.id) == [created.id])
        #expect(try await store.publishDueAnnouncements(now: publish) == 1)
        #expect(try await store.search(query: "parking", userID: reader.userID, now: publish).items.count == 1)
        #expect(try await store.publishDueAnnouncements(now: publish) == 0)

        let lastSecond = expire.addingTimeInterval(-1)
        #expect(try await store.frontPageAnnouncements(viewer: reader, now: lastSecond).map(\.id) == [created.id])
        #expect(try await store.frontPageAnnouncements(viewer: reader, now: expire).isEmpty, "expired: no longer À la une")
        #expect(try await store.announcement(id: created.id, viewer: reader, now: expire)?.status == .expired)
        #expect(try await store.searchAnnouncements(query: "parking", viewer: reader, now: expire).map(\.id) == [created.id],
                "archived: still found by search")
        await #expect(throws: StoreError.self) {
            try await store.createAnnouncement(departmentID: "communication",
                                               content: town.content("Mauvaises dates", publishAt: expire, expireAt: publish),
                                               by: town.writer, now: NewsTown.now)
        }
    }

    @Test("drafts are their department's writers' only, and submitting one publishes it", arguments: StoreBackends.all)
    func drafts(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let draft = try await store.createAnnouncement(departmentID: "communication", content: town.content("Brouillon zorglub", draft: true),
                                                       by: town.writer, now: NewsTown.now)
        #expect(draft.status == .draft && draft.itemID == nil)
        for viewer in [town.dsiMember, town.outsider, town.admin, town.rhEditor] {
            #expect(try await store.announcement(id: draft.id, viewer: viewer, now: NewsTown.now) == nil)
            #expect(try await store.searchAnnouncements(query: "brouillon", viewer: viewer, now: NewsTown.now).isEmpty)
        }
        #expect(try await store.search(query: "brouillon", userID: town.outsider.userID, now: NewsTown.now).items.isEmpty)
        #expect(try await store.announcement(id: draft.id, viewer: town.writer, now: NewsTown.now)?.status == .draft)
        await #expect(throws: StoreError.notFound(what: "announcement", id: draft.id)) {
            try await store.updateAnnouncement(id: draft.id, content: town.content("Publié"), by: town.outsider, now: NewsTown.now)
        }
        var submitted = town.content("Brouillon zorglub publié")
        submitted.isDraft = false
        let published = try await store.updateAnnouncement(id: draft.id, content: submitted, by: town.writer, now: NewsTown.now)
        #expect(published.status == .published && published.itemID != nil)
        #expect(try await store.announcement(id: draft.id, viewer: town.outsider, now: NewsTown.now) != nil)
        let history = try await store.announcementHistory(id: draft.id, viewer: town.writer, now: NewsTown.now)
        #expect(history.map(\.number) == [2, 1])
        #expect(history.map(\.title) == ["Brouillon zorglub publié", "Brouillon zorglub"])
        // Back to draft: the item goes away.
        let again = try await store.updateAnnouncement(id: draft.id, content: town.content("Retiré", draft: true), by: town.writer, now: NewsTown.now)
        #expect(again.status == .draft && again.itemID == nil)
        #expect(try await store.search(query: "retiré", userID: town.outsider.userID, now: NewsTown.now).items.isEmpty)
        // An administrator manages announcements without writing them: saving one as a draft, or for
        // later, answers with the announcement (it crashed the server: read back as a reader, nothing).
        _ = try await store.updateAnnouncement(id: draft.id, content: town.content("Republié"), by: town.writer, now: NewsTown.now)
        let later = try await store.updateAnnouncement(id: draft.id, content: town.content("Pour demain", publishAt: NewsTown.now.addingTimeInterval(86_400)),
                                                       by: town.admin, now: NewsTown.now)
        #expect(later.status == .scheduled && later.content.title == "Pour demain")
        _ = try await store.updateAnnouncement(id: draft.id, content: town.content("Republié"), by: town.writer, now: NewsTown.now)
        let byAdmin = try await store.updateAnnouncement(id: draft.id, content: town.content("Repris par l’administrateur", draft: true),
                                                         by: town.admin, now: NewsTown.now)
        #expect(byAdmin.status == .draft && byAdmin.content.title == "Repris par l’administrateur")
    }

    @Test("only writers create: an editor, or a member of a publisher department", arguments: StoreBackends.all)
    func writers(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        for (viewer, department) in [(town.dsiMember, "dsi"), (town.outsider, "communication"), (town.admin, "rh"), (town.writer, "rh")] {
            await #expect(throws: StoreError.forbidden(what: "department", id: department)) {
                try await store.createAnnouncement(departmentID: department, content: town.content("Non"), by: viewer, now: NewsTown.now)
            }
        }
        #expect(try await store.newsDepartments(viewer: town.writer).map(\.id) == ["communication"])
        #expect(try await store.newsDepartments(viewer: town.rhEditor).map { "\($0.id) \($0.needsApproval)" } == ["rh true"])
        #expect(try await store.newsDepartments(viewer: town.dsiMember).isEmpty)
    }

    @Test("approval: pending until a second writer approves; the author cannot approve their own", arguments: StoreBackends.all)
    func approval(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let note = try await store.createAnnouncement(departmentID: "rh", content: town.content("Entretiens annuels zorglub", mustRead: true),
                                                      by: town.rhEditor, now: NewsTown.now)
        #expect(note.status == .pending && note.itemID == nil)
        #expect(try await store.announcement(id: note.id, viewer: town.outsider, now: NewsTown.now) == nil)
        #expect(try await store.announcement(id: note.id, viewer: town.rhEditor2, now: NewsTown.now)?.status == .pending)
        await #expect(throws: StoreError.forbidden(what: "announcement", id: note.id)) {
            try await store.approveAnnouncement(id: note.id, by: town.rhEditor, now: NewsTown.now)
        }
        await #expect(throws: StoreError.notFound(what: "announcement", id: note.id)) {
            try await store.approveAnnouncement(id: note.id, by: town.outsider, now: NewsTown.now)
        }
        let approved = try await store.approveAnnouncement(id: note.id, by: town.rhEditor2, now: NewsTown.now)
        #expect(approved.status == .published && approved.approvedBy == "remi" && approved.itemID != nil)
        #expect(try await store.announcement(id: note.id, viewer: town.outsider, now: NewsTown.now) != nil)
        await #expect(throws: StoreError.self) {
            try await store.approveAnnouncement(id: note.id, by: town.rhEditor2, now: NewsTown.now)
        }
    }

    @Test("must-read: À la une until confirmed, idempotent confirmation, the list of who confirmed, the figures", arguments: StoreBackends.all)
    func mustRead(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let note = try await store.createAnnouncement(
            departmentID: "communication", content: town.content("Charte informatique zorglub", audience: .init(departments: ["dsi"], groups: ["gg-finances"]),
                                                                 mustRead: true),
            by: town.writer, now: NewsTown.now)
        #expect(try await store.frontPageAnnouncements(viewer: town.dsiMember, now: NewsTown.now).map(\.id) == [note.id])
        #expect(try await store.unacknowledgedMustRead(viewer: town.grouped, now: NewsTown.now).map(\.id) == [note.id])
        #expect(try await store.unacknowledgedMustRead(viewer: town.outsider, now: NewsTown.now).isEmpty)

        let later = NewsTown.now.addingTimeInterval(60)
        let acked = try await store.acknowledgeAnnouncement(id: note.id, viewer: town.dsiMember, now: later)
        #expect(acked.acknowledgedAt == later)
        let again = try await store.acknowledgeAnnouncement(id: note.id, viewer: town.dsiMember, now: later.addingTimeInterval(500))
        #expect(again.acknowledgedAt == later, "confirming twice keeps the first time")
        #expect(try await store.frontPageAnnouncements(viewer: town.dsiMember, now: later).isEmpty)
        #expect(try await store.unacknowledgedMustRead(viewer: town.dsiMember, now: later).isEmpty)

        try await store.recordAnnouncementView(id: note.id, viewer: town.dsiMember, now: later)
        try await store.recordAnnouncementView(id: note.id, viewer: town.dsiMember, now: later.addingTimeInterval(10))
        try await store.recordAnnouncementView(id: note.id, viewer: town.grouped, now: later.addingTimeInterval(86_400))
        try await store.recordAnnouncementView(id: note.id, viewer: town.outsider, now: later) // hidden: not counted

        let list = try await store.announcementAcknowledgements(id: note.id, viewer: town.writer, now: later)
        #expect(list.map(\.login) == ["gaelle", "denis"], "the unconfirmed first")
        #expect(list.map { $0.acknowledgedAt != nil } == [false, true])
        let stats = try await store.announcementStats(id: note.id, viewer: town.admin, now: later)
        #expect(stats == AnnouncementStats(views: 3, readers: 2, acknowledged: 1, audience: 2))
        let days = try await store.announcementDays(id: note.id, viewer: town.writer, now: later.addingTimeInterval(86_400))
        #expect(days.map(\.day) == ["2025-06-15", "2025-06-16"])
        #expect(days.map(\.views) == [2, 1])
        #expect(days.map(\.readers) == [1, 1])
        #expect(days.map(\.acknowledged) == [1, 0])

        // Readers of the audience do not manage: figures and the list are refused.
        await #expect(throws: StoreError.forbidden(what: "announcement", id: note.id)) {
            try await store.announcementStats(id: note.id, viewer: town.dsiMember, now: later)
        }
        await #expect(throws: StoreError.forbidden(what: "announcement", id: note.id)) {
            try await store.announcementAcknowledgements(id: note.id, viewer: town.grouped, now: later)
        }
        // Raw events go with retention; the daily figures and distinct readers stay.
        #expect(try await store.purgeAnnouncementViews(before: later.addingTimeInterval(3_600)) == 2)
        #expect(try await store.announcementStats(id: note.id, viewer: town.admin, now: later).readers == 2)
        #expect(try await store.announcementStats(id: note.id, viewer: town.admin, now: later).views == 3)
    }

    @Test("a directory group audience meets the groups the directory gave (by DN or CN), and counts them in the audience", arguments: StoreBackends.all)
    func directoryGroups(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        try await store.confirmDirectoryAccount(userID: town.outsider.userID, dn: "uid=olivier,ou=people,dc=ville,dc=local",
                                                groups: ["cn=GG-Compta,ou=groups,dc=ville,dc=local"], at: NewsTown.now)
        let note = try await store.createAnnouncement(departmentID: "communication",
                                                      content: town.content("Clôture compta zorglub", audience: .init(groups: ["gg-compta"])),
                                                      by: town.writer, now: NewsTown.now)
        #expect(try await store.announcement(id: note.id, viewer: town.outsider, now: NewsTown.now)?.inAudience == true)
        #expect(try await store.announcement(id: note.id, viewer: town.dsiMember, now: NewsTown.now) == nil)
        #expect(try await store.announcementStats(id: note.id, viewer: town.writer, now: NewsTown.now).audience == 1)
        let prefix = try await store.createAnnouncement(departmentID: "communication",
                                                        content: town.content("Préfixe zorglub", audience: .init(groups: ["gg"])),
                                                        by: town.writer, now: NewsTown.now)
        #expect(try await store.announcement(id: prefix.id, viewer: town.outsider, now: NewsTown.now) == nil, "a CN is compared whole")
    }

    @Test("announcements are kept by the item retention, like documents: they have their own life (expiry, deletion)", arguments: StoreBackends.all)
    func retention(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let old = try await store.createAnnouncement(departmentID: "communication", content: town.content("Ancienne zorglub"),
                                                     by: town.writer, now: NewsTown.now)
        _ = try await store.applyRetention(days: 1, maxItemsPerSource: 1, now: NewsTown.now.addingTimeInterval(400 * 86_400))
        let kept = try await store.announcement(id: old.id, viewer: town.outsider, now: NewsTown.now)
        #expect(kept?.itemID == old.itemID && old.itemID != nil)
        #expect(try await store.search(query: "ancienne", userID: town.outsider.userID, now: NewsTown.now).items.count == 1)
    }

    @Test("a non-must-read announcement cannot be confirmed; deleting removes the item", arguments: StoreBackends.all)
    func deleteAndNoConfirm(_ backend: StoreBackend) async throws {
        let town = try await NewsTown.make(backend)
        let store = town.store
        let plain = try await store.createAnnouncement(departmentID: "communication", content: town.content("Simple zorglub"),
                                                       by: town.writer, now: NewsTown.now)
        await #expect(throws: StoreError.notFound(what: "announcement", id: plain.id)) {
            try await store.acknowledgeAnnouncement(id: plain.id, viewer: town.outsider, now: NewsTown.now)
        }
        await #expect(throws: StoreError.forbidden(what: "announcement", id: plain.id)) {
            try await store.deleteAnnouncement(id: plain.id, by: town.outsider, now: NewsTown.now)
        }
        try await store.deleteAnnouncement(id: plain.id, by: town.writer, now: NewsTown.now)
        #expect(try await store.announcement(id: plain.id, viewer: town.writer, now: NewsTown.now) == nil)
        #expect(try await store.search(query: "simple", userID: town.outsider.userID, now: NewsTown.now).items.isEmpty)
        #expect(try await store.channelPage(channelID: "news-communication", userID: town.outsider.userID).items.isEmpty)
    }
}
