import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Departmental documents on PostgreSQL give what SQLite gives for the same uploads: who sees what,
/// French search, versions, deletion, the department channel's items and the view counts.
@Suite(.postgres)
struct PostgresDocumentsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/m.xml", title: "Ville")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie"])],
        departments: [DepartmentDefinition(id: "urbanisme", title: "Urbanisme", categories: ["Délibérations", "Arrêtés"]),
                      DepartmentDefinition(id: "finances", title: "Finances")])

    typealias Store = any DocumentStore & PeopleStore & CatalogStore

    /// The four kinds of agent a rights check must tell apart.
    struct Agents {
        var admin, editor, member, outsider: DocumentViewer
        var all: [(String, DocumentViewer)] { [("admin", admin), ("editor", editor), ("member", member), ("outsider", outsider)] }
    }

    static func file(_ letter: Character, kind: String = "pdf") -> StoredFile {
        StoredFile(sha256: String(repeating: letter, count: 64), size: 1_000, fileName: "fichier.\(kind)",
                   mediaType: kind == "pdf" ? "application/pdf" : "application/octet-stream", kind: kind)
    }

    static func agents(_ store: Store) async throws -> Agents {
        _ = try await store.syncCatalog(catalog, now: now)
        var ids: [Int64] = []
        for (login, admin) in [("admin", true), ("edith", false), ("marc", false), ("olive", false)] {
            ids.append(try await store.createUser(NewUser(login: login, isAdmin: admin), at: now).id)
        }
        try await store.setMembership(userID: ids[1], departmentID: "urbanisme", isEditor: true)
        try await store.setMembership(userID: ids[2], departmentID: "urbanisme", isEditor: false)
        return Agents(admin: DocumentViewer(userID: ids[0], isAdmin: true), editor: DocumentViewer(userID: ids[1], isAdmin: false),
                      member: DocumentViewer(userID: ids[2], isAdmin: false), outsider: DocumentViewer(userID: ids[3], isAdmin: false))
    }

    /// The same documents on either store, with their extracted texts; public ids by title.
    static func library(_ store: Store, _ agents: Agents) async throws -> [String: String] {
        let documents: [(department: String, metadata: DocumentMetadata, file: StoredFile, text: String, published: Bool)] = [
            ("urbanisme", DocumentMetadata(title: "Plan local d'urbanisme", category: "Délibérations", description: "Le PLU révisé.",
                                           actDate: "2025-11-30", tags: ["plu", "quartiers"]),
             file("a"), "Les écoles maternelles et les espaces verts du quartier nord.", true),
            ("urbanisme", DocumentMetadata(title: "Réunion interne des agents", category: "Arrêtés", description: "Compte rendu.",
                                           visibility: .department),
             file("b", kind: "docx"), "Les congés des agents et les délibérations internes du service.", true),
            ("urbanisme", DocumentMetadata(title: "Projet de règlement", description: "À relire."),
             file("c"), "Un règlement des écoles en projet.", false),
            ("finances", DocumentMetadata(title: "Budget primitif", description: "Le budget voté.", tags: ["budget"]),
             file("d"), "Le budget primitif des écoles et des crèches.", true),
            ("finances", DocumentMetadata(title: "Budget annexe", description: "Pour le service seulement.", visibility: .department),
             file("e"), "Le budget annexe de l'eau.", true),
        ]
        var ids: [String: String] = [:]
        for (index, document) in documents.enumerated() {
            let at = now.addingTimeInterval(Double(index) * 60)
            var record = try await store.createDocument(departmentID: document.department, metadata: document.metadata,
                                                        file: document.file, by: agents.admin, now: at)
            let version = try #require(record.versions.first)
            try await store.setDocumentText(versionRowID: version.rowID, text: document.text, error: nil, now: at)
            if !document.published { record = try await store.setDocumentStatus(id: record.id, .unpublished, now: at) }
            ids[record.title] = record.id
        }
        return ids
    }

    /// A record with its random public id replaced by its title (the only thing that differs by store).
    static func comparable(_ record: DocumentRecord?) -> DocumentRecord? {
        guard var record else { return nil }
        record.id = record.title
        return record
    }

    @Test func rightsMatchSQLiteForAdminEditorMemberAndOutsider() async throws {
        let sqlite = try AppDatabase.temporary()
        let sqliteAgents = try await Self.agents(sqlite)
        let sqliteIDs = try await Self.library(sqlite, sqliteAgents)
        try await PostgresCluster.withFreshStore { postgres in
            let agents = try await Self.agents(postgres)
            let ids = try await Self.library(postgres, agents)
            #expect(agents.all.map(\.1) == sqliteAgents.all.map(\.1))
            let expected: [String: Set<String>] = [
                "admin": ["Plan local d'urbanisme", "Réunion interne des agents", "Projet de règlement", "Budget primitif", "Budget annexe"],
                "editor": ["Plan local d'urbanisme", "Réunion interne des agents", "Projet de règlement", "Budget primitif"],
                "member": ["Plan local d'urbanisme", "Réunion interne des agents", "Budget primitif"],
                "outsider": ["Plan local d'urbanisme", "Budget primitif"],
            ]
            for (name, viewer) in agents.all {
                let listed = try await postgres.documents(filter: DocumentFilter(includeUnpublished: true), viewer: viewer)
                #expect(Set(listed.map(\.title)) == expected[name], "\(name) lists")
                let onSQLite = try await sqlite.documents(filter: DocumentFilter(includeUnpublished: true), viewer: viewer)
                #expect(listed.map(Self.comparable) == onSQLite.map(Self.comparable), "\(name) lists as on SQLite")
                let published = try await postgres.documents(filter: DocumentFilter(), viewer: viewer)
                #expect(!published.contains { $0.status == .unpublished }, "\(name) lists only published documents by default")
                for (title, id) in ids {
                    let seen = try await postgres.document(id: id, viewer: viewer)
                    #expect((seen != nil) == expected[name]?.contains(title), "\(name) sees \(title)")
                    let onSQLite = try await sqlite.document(id: try #require(sqliteIDs[title]), viewer: viewer)
                    #expect(Self.comparable(seen) == Self.comparable(onSQLite), "\(name) reads \(title) as on SQLite")
                    let manages = try await postgres.canManageDocument(id: id, viewer: viewer)
                    let managesOnSQLite = try await sqlite.canManageDocument(id: try #require(sqliteIDs[title]), viewer: viewer)
                    #expect(manages == managesOnSQLite, "\(name) manages \(title) as on SQLite")
                }
                #expect(try await postgres.documentDepartments(viewer: viewer) == (try await sqlite.documentDepartments(viewer: viewer)))
                #expect(try await postgres.documentDepartment(id: "finances", viewer: viewer)
                        == (try await sqlite.documentDepartment(id: "finances", viewer: viewer)))
                let members = try await postgres.memberDocuments(viewer: viewer, limit: 8)
                #expect(members.map(Self.comparable) == (try await sqlite.memberDocuments(viewer: viewer, limit: 8)).map(Self.comparable))
            }
            #expect(try await postgres.canManageDocument(id: try #require(ids["Plan local d'urbanisme"]), viewer: agents.editor))
            #expect(try await !postgres.canManageDocument(id: try #require(ids["Budget primitif"]), viewer: agents.editor))
            #expect(try await !postgres.canManageDocument(id: try #require(ids["Plan local d'urbanisme"]), viewer: agents.member))
            #expect(try await postgres.memberDocuments(viewer: agents.member, limit: 8).map(\.title) == ["Réunion interne des agents"])
            #expect(try await postgres.memberDocuments(viewer: agents.outsider, limit: 8).isEmpty)
            let departments = try await postgres.documentDepartments(viewer: agents.member)
            #expect(departments.map(\.id) == ["finances", "urbanisme"])
            #expect(departments.map(\.isMember) == [false, true])
            #expect(departments.map(\.canPublish) == [false, false])
            #expect(try await postgres.documentDepartment(id: "nulle-part", viewer: agents.admin) == nil)
            // Listing filters: department, category, tag, year (the act's date, else the upload's).
            let filters = [DocumentFilter(departmentID: "finances"), DocumentFilter(category: "Délibérations"),
                           DocumentFilter(year: 2025), DocumentFilter(year: 2027), DocumentFilter(year: 2057), DocumentFilter(tag: "budget"),
                           DocumentFilter(departmentID: "urbanisme", query: "écoles", includeUnpublished: true)]
            for filter in filters {
                let listed = try await postgres.documents(filter: filter, viewer: agents.admin)
                #expect(listed.map(Self.comparable) == (try await sqlite.documents(filter: filter, viewer: agents.admin)).map(Self.comparable),
                        "filter \(filter)")
            }
            // The act's year first: the plan, uploaded in 2027, is an act of 2025.
            #expect(try await postgres.documents(filter: DocumentFilter(year: 2025), viewer: agents.admin).map(\.title)
                    == ["Plan local d'urbanisme"])
            #expect(try await postgres.documents(filter: DocumentFilter(year: 2027), viewer: agents.admin).count == 3, "the published ones")
            #expect(try await postgres.documents(filter: DocumentFilter(departmentID: "urbanisme", query: "écoles", includeUnpublished: true),
                                                 viewer: agents.editor).map(\.title) == ["Projet de règlement", "Plan local d'urbanisme"])
        }
    }

    /// (query, viewer, titles expected) — accents, plurals, phrases, exclusions, filters.
    static let searches: [(String, String, Set<String>)] = [
        ("ecole", "outsider", ["Plan local d'urbanisme", "Budget primitif"]),
        ("écoles maternelles", "outsider", ["Plan local d'urbanisme"]),
        ("ÉCOLE", "member", ["Plan local d'urbanisme", "Budget primitif"]),
        ("délibération", "member", ["Plan local d'urbanisme", "Réunion interne des agents"]),
        ("deliberations", "outsider", ["Plan local d'urbanisme"]),
        ("agent", "member", ["Réunion interne des agents"]),
        ("agent", "outsider", []),
        ("\"espaces verts\"", "outsider", ["Plan local d'urbanisme"]),
        ("\"verts espaces\"", "outsider", []),
        ("budget", "admin", ["Budget primitif", "Budget annexe"]),
        ("budget", "outsider", ["Budget primitif"]),
        ("budget -annexe", "admin", ["Budget primitif"]),
        ("crèche", "outsider", ["Budget primitif"]),
        ("service:finances", "admin", ["Budget primitif", "Budget annexe"]),
        ("canal:service-urbanisme écoles", "outsider", ["Plan local d'urbanisme"]),
        ("canal:actu", "admin", []),
        ("type:deliberation", "member", ["Plan local d'urbanisme"]),
        ("type:docx", "member", ["Réunion interne des agents"]),
        ("type:docx", "outsider", []),
        ("type:article", "admin", []),
        ("règlement", "editor", []),
        ("quartiers", "outsider", ["Plan local d'urbanisme"]),
    ]

    @Test func frenchSearchFindsWhatSQLiteFindsForEachAgent() async throws {
        let sqlite = try AppDatabase.temporary()
        let sqliteAgents = try await Self.agents(sqlite)
        _ = try await Self.library(sqlite, sqliteAgents)
        try await PostgresCluster.withFreshStore { postgres in
            let agents = try await Self.agents(postgres)
            _ = try await Self.library(postgres, agents)
            let viewers = Dictionary(uniqueKeysWithValues: agents.all)
            for (text, name, expected) in Self.searches {
                let query = try SearchQuery.parse(text)
                let viewer = try #require(viewers[name])
                let found = try await postgres.searchDocuments(query, viewer: viewer, limit: 10, offset: 0)
                let onSQLite = try await sqlite.searchDocuments(query, viewer: viewer, limit: 10, offset: 0)
                #expect(Set(found.hits.map(\.record.title)) == expected, "\(text) for \(name)")
                #expect(Set(found.hits.map(\.record.title)) == Set(onSQLite.hits.map(\.record.title)), "\(text) for \(name) as on SQLite")
                #expect(found.total == onSQLite.total && found.organisationWide == onSQLite.organisationWide, "\(text) totals")
            }
            // Words of the title rank above words of the text; the extract shows the words found.
            let ranked = try await postgres.searchDocuments(try SearchQuery.parse("budget"), viewer: agents.outsider, limit: 10, offset: 0)
            let hit = try #require(ranked.hits.first)
            #expect(hit.snippet.contains { $0.highlighted && $0.text.lowercased().hasPrefix("budget") })
            let inText = try await postgres.searchDocuments(try SearchQuery.parse("maternelle"), viewer: agents.outsider, limit: 10, offset: 0)
            #expect(try #require(inText.hits.first).snippet.contains { $0.highlighted && $0.text == "maternelles" })
            let titleFirst = try await postgres.searchDocuments(try SearchQuery.parse("urbanisme"), viewer: agents.admin, limit: 10, offset: 0)
            #expect(titleFirst.hits.first?.record.title == "Plan local d'urbanisme")
            // Paging: the second page holds what the first left out.
            let first = try await postgres.searchDocuments(try SearchQuery.parse("écoles"), viewer: agents.admin, limit: 1, offset: 0)
            let second = try await postgres.searchDocuments(try SearchQuery.parse("écoles"), viewer: agents.admin, limit: 5, offset: 1)
            #expect(first.total == 2 && first.hits.count == 1 && second.hits.count == 1)
            #expect(first.hits[0].record.id != second.hits[0].record.id)
            // Agents' syntax never reaches tsquery as syntax.
            var parsed = 0
            for text in ["l'eau & | ! :*", "budget)(", "\"\"", "écoles !(budget)", "a:* <-> b"] {
                guard let query = try? SearchQuery.parse(text) else { continue }
                parsed += 1
                _ = try await postgres.searchDocuments(query, viewer: agents.admin, limit: 10, offset: 0)
            }
            #expect(parsed >= 3)
        }
    }

    @Test func versionsExtractionDeletionAndChannelItemsMatchSQLite() async throws {
        let sqlite = try AppDatabase.temporary()
        let sqliteAgents = try await Self.agents(sqlite)
        try await PostgresCluster.withFreshStore { postgres in
            let agents = try await Self.agents(postgres)
            var outcomes: [[String]] = []
            for (store, agents) in [(sqlite as Store, sqliteAgents), (postgres as Store, agents)] {
                var log: [String] = []
                let plan = try await store.createDocument(departmentID: "urbanisme", metadata: DocumentMetadata(title: "Plan"),
                                                          file: Self.file("a"), by: agents.editor, now: Self.now)
                let twin = try await store.createDocument(departmentID: "urbanisme", metadata: DocumentMetadata(title: "Copie"),
                                                          file: Self.file("a"), by: agents.editor, now: Self.now)
                let second = try await store.addDocumentVersion(id: plan.id, file: Self.file("b"), by: agents.member,
                                                                now: Self.now.addingTimeInterval(3_600))
                log.append("versions \(second.versions.map(\.number)) current \(second.current.sha256.prefix(1)) by \(second.current.uploadedBy ?? "-")")
                log.append("updated \(second.updatedAt.timeIntervalSince1970) created \(second.createdAt.timeIntervalSince1970)")
                let pending = try await store.pendingDocumentExtractions(limit: 10)
                log.append("pending \(pending.map { "\($0.sha256.prefix(1)) \($0.kind)" })")
                let newest = try #require(pending.last)
                try await store.setDocumentText(versionRowID: newest.rowID, text: nil, error: "pdftotext a échoué", now: Self.now)
                try await store.setDocumentText(versionRowID: pending[0].rowID, text: "Ancienne version", error: nil, now: Self.now)
                log.append("unindexed \(try await store.unindexedDocuments().map { "\($0.title): \($0.error)" })")
                log.append("pending after \(try await store.pendingDocumentExtractions(limit: 10).count)")
                let updated = try await store.updateDocument(id: plan.id, metadata: DocumentMetadata(
                    title: "Plan révisé", category: "Arrêtés", description: "Nouveau", tags: ["b", "a", "b"], visibility: .department),
                                                             now: Self.now.addingTimeInterval(7_200))
                log.append("updated \(updated.title) \(updated.tags) \(updated.visibility) \(updated.category ?? "-")")
                log.append("unused \(try await store.deleteDocument(id: plan.id, by: agents.admin, login: "admin", now: Self.now).map { $0.prefix(1) })")
                log.append("blobs \(try await store.documentBlobHashes().map { $0.prefix(1) }.sorted())")
                log.append("unused \(try await store.deleteDocument(id: twin.id, by: agents.admin, login: "admin", now: Self.now).map { $0.prefix(1) })")
                log.append("log \(try await store.deletedDocuments(limit: 10).map { "\($0.title) \($0.department) \($0.by) \($0.at.timeIntervalSince1970)" })")
                log.append("gone \(try await store.document(id: plan.id, viewer: agents.admin) == nil)")
                do {
                    _ = try await store.addDocumentVersion(id: plan.id, file: Self.file("c"), by: agents.admin, now: Self.now)
                    log.append("added to a deleted document")
                } catch {
                    log.append("error \(error)".replacingOccurrences(of: plan.id, with: "ID"))
                }
                outcomes.append(log)
            }
            #expect(outcomes[1] == outcomes[0])
            #expect(outcomes[1].first == "versions [2, 1] current b by marc")
            #expect(outcomes[1].contains("unindexed [\"Plan: pdftotext a échoué\"]"))
            #expect(outcomes[1].contains("unused [\"b\"]") && outcomes[1].contains("unused [\"a\"]"))
            #expect(outcomes[1].contains("blobs [\"a\"]"))
        }
    }

    @Test func organisationWideDocumentsAreItemsOfTheirDepartmentChannel() async throws {
        try await PostgresCluster.withFreshStore { postgres in
            let agents = try await Self.agents(postgres)
            try await postgres.subscribe(userID: agents.outsider.userID, channelID: "service-urbanisme", at: Self.now)
            let ids = try await Self.library(postgres, agents)
            func titles() async throws -> [String?] {
                try await postgres.channelPage(channelID: "service-urbanisme", userID: agents.outsider.userID, before: nil, limit: 10,
                                               unreadOnly: false).items.map(\.title)
            }
            // Only the published, organisation-wide document of the department is an item.
            #expect(try await titles() == ["Plan local d'urbanisme"])
            let plan = try #require(ids["Plan local d'urbanisme"])
            _ = try await postgres.updateDocument(id: plan, metadata: DocumentMetadata(title: "Plan local d'urbanisme révisé"), now: Self.now)
            #expect(try await titles() == ["Plan local d'urbanisme révisé"])
            let found = try await postgres.search(try SearchQuery.parse("maternelles"), userID: agents.outsider.userID, limit: 10, offset: 0,
                                                  now: Self.now)
            #expect(found.items.map(\.item.title) == ["Plan local d'urbanisme révisé"])
            _ = try await postgres.setDocumentStatus(id: plan, .unpublished, now: Self.now)
            #expect(try await titles().isEmpty)
            _ = try await postgres.setDocumentStatus(id: plan, .published, now: Self.now)
            #expect(try await titles() == ["Plan local d'urbanisme révisé"])
            _ = try await postgres.updateDocument(id: plan, metadata: DocumentMetadata(title: "Plan", visibility: .department), now: Self.now)
            #expect(try await titles().isEmpty)
            let members = try await postgres.search(try SearchQuery.parse("maternelles"), userID: agents.member.userID, limit: 10, offset: 0,
                                                    now: Self.now)
            #expect(members.items.isEmpty, "a members-only document is never an item")
        }
    }

    @Test func concurrentVersionsTakeDistinctNumbersAndViewsAreCounted() async throws {
        try await PostgresCluster.withFreshStore { postgres in
            let agents = try await Self.agents(postgres)
            let ids = try await Self.library(postgres, agents)
            let plan = try #require(ids["Plan local d'urbanisme"])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for letter in "fghijk" {
                    group.addTask { _ = try await postgres.addDocumentVersion(id: plan, file: Self.file(letter), by: agents.editor, now: Self.now) }
                }
                try await group.waitForAll()
            }
            let record = try #require(try await postgres.document(id: plan, viewer: agents.admin))
            #expect(record.versions.map(\.number) == Array((1...7).reversed()))
            // Views: the member twice, the outsider once; the outsider's look at a members-only document is not one.
            let meeting = try #require(ids["Réunion interne des agents"])
            for (viewer, id) in [(agents.member, plan), (agents.member, plan), (agents.outsider, plan), (agents.outsider, meeting),
                                 (agents.member, meeting)] {
                try await postgres.recordDocumentView(id: id, viewer: viewer, now: Self.now)
            }
            try await postgres.recordDocumentView(id: plan, viewer: agents.member, now: Self.now.addingTimeInterval(86_400))
            let database = postgres.configuration.database
            let server = try PostgresCluster.current()
            let daily = try await blockingWork {
                try server.psql("""
                    SELECT d.title || ' ' || x.day || ' ' || x.views || ' ' || x.readers FROM document_daily x
                    JOIN documents d ON d.id = x.document_id ORDER BY d.title, x.day
                    """, database: database)
            }
            #expect(daily.split(separator: "\n") == ["Plan local d'urbanisme 2027-01-15 3 2", "Plan local d'urbanisme 2027-01-16 1 1",
                                                     "Réunion interne des agents 2027-01-15 1 1"])
            let department = try await blockingWork {
                try server.psql("""
                    SELECT dep.key || ' ' || t.day || ' ' || t.document_views FROM department_daily t
                    JOIN departments dep ON dep.id = t.department_id ORDER BY t.day
                    """, database: database)
            }
            #expect(department.split(separator: "\n") == ["urbanisme 2027-01-15 4", "urbanisme 2027-01-16 1"])
        }
    }
}
