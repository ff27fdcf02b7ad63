import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// What both stores offer that the announcement tests use.
typealias TwinStore = AnnouncementStore & CatalogStore & PeopleStore & IngestStore

/// The same small portal on SQLite and on PostgreSQL (same catalogue, same agents with the same
/// ids): each step runs on both and the answers must be equal, ids of announcements aside (random
/// per store: `Twin` holds both).
struct AnnouncementTwins {
    static let now = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15 08:00 UTC

    let sqlite: AppDatabase
    let postgres: PostgresStore
    let writer: DocumentViewer     // member of communication (publisher: true), not an editor
    let rhEditor: DocumentViewer   // editor of rh (approval: true)
    let rhEditor2: DocumentViewer
    let dsiMember: DocumentViewer
    let grouped: DocumentViewer    // directory group GG-Finances remembered at sign-in (a DN), no department
    let directory: DocumentViewer  // directory account with the group GG-Compta (a DN), no department
    let outsider: DocumentViewer
    let admin: DocumentViewer

    static let catalog = Catalog(
        sources: [SourceDefinition(id: "presse", url: "https://presse.example/rss", title: "La Presse locale")],
        channels: [ChannelDefinition(id: "presse", title: "Toute la presse", sources: ["presse"])],
        bouquets: [BouquetDefinition(id: "essentiel", title: "L'essentiel", channels: ["presse"], isDefault: true)],
        departments: [
            DepartmentDefinition(id: "communication", title: "Communication", publisher: true),
            DepartmentDefinition(id: "rh", title: "Ressources humaines", approval: true),
            DepartmentDefinition(id: "dsi", title: "Informatique", groups: ["gg-dsi"]),
        ])

    /// Runs `body` with the twins on a fresh SQLite file and a fresh PostgreSQL database.
    static func with(_ body: (AnnouncementTwins) async throws -> Void) async throws {
        let sqlite = try AppDatabase.temporary()
        try await PostgresCluster.withFreshStore { postgres in
            var viewers: [DocumentViewer] = []
            for store in [sqlite as any TwinStore, postgres as any TwinStore] {
                try await store.syncCatalog(catalog, now: now)
                viewers = []
                for login in ["claire", "rose", "remi", "denis", "gaelle", "diane", "olivier", "admin"] {
                    let account = try await store.createUser(NewUser(login: login, name: login.capitalized, isAdmin: login == "admin"), at: now)
                    viewers.append(DocumentViewer(userID: account.id, isAdmin: account.isAdmin))
                }
                try await store.setMembership(userID: viewers[0].userID, departmentID: "communication", isEditor: false)
                try await store.setMembership(userID: viewers[1].userID, departmentID: "rh", isEditor: true)
                try await store.setMembership(userID: viewers[2].userID, departmentID: "rh", isEditor: true)
                try await store.setMembership(userID: viewers[3].userID, departmentID: "dsi", isEditor: false)
                try await store.setUserGroups(userID: viewers[4].userID, groups: ["cn=GG-Finances,ou=groups,dc=ville,dc=local"])
                try await store.confirmDirectoryAccount(userID: viewers[5].userID, dn: "uid=diane,ou=people,dc=ville,dc=local",
                                                        groups: ["cn=GG-Compta,ou=groups,dc=ville,dc=local"], at: now)
            }
            try await body(AnnouncementTwins(sqlite: sqlite, postgres: postgres, writer: viewers[0], rhEditor: viewers[1],
                                             rhEditor2: viewers[2], dsiMember: viewers[3], grouped: viewers[4], directory: viewers[5],
                                             outsider: viewers[6], admin: viewers[7]))
        }
    }

    var everybody: [DocumentViewer] { [writer, rhEditor, rhEditor2, dsiMember, grouped, directory, outsider, admin] }

    static func content(_ title: String, audience: AnnouncementAudience = .everyone, publishAt: Date = now, expireAt: Date? = nil,
                        pinned: Bool = false, mustRead: Bool = false, draft: Bool = false, category: String = "Note de service") -> AnnouncementContent {
        AnnouncementContent(title: title, summary: "Résumé de \(title)", bodyMarkdown: "Le **texte** de \(title)",
                            bodyHTML: "<p>Le <strong>texte</strong> de \(title)</p>", bodyText: "Le texte de \(title)",
                            category: category, audience: audience, publishAt: publishAt, expireAt: expireAt,
                            pinned: pinned, mustRead: mustRead, isDraft: draft)
    }

    /// Runs `body` on both stores (SQLite first) and expects the same answer; returns PostgreSQL's.
    @discardableResult
    func same<T: Equatable & Sendable>(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                                       _ body: (any TwinStore, Side) async throws -> T) async throws -> T {
        let a = try await body(sqlite, .sqlite), b = try await body(postgres, .postgres)
        #expect(a == b, "\(what): SQLite \(a) ≠ PostgreSQL \(b)", sourceLocation: sourceLocation)
        return b
    }

    /// `same` for announcements, compared without their per-store ids.
    @discardableResult
    func sameAnnouncements(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                           _ body: (any TwinStore, Side) async throws -> [Announcement]) async throws -> [Announcement] {
        let a = try await body(sqlite, .sqlite), b = try await body(postgres, .postgres)
        #expect(a.map(Self.comparable) == b.map(Self.comparable), "\(what): SQLite \(a) ≠ PostgreSQL \(b)", sourceLocation: sourceLocation)
        return b
    }

    /// Runs `body` on both and expects both to fail with the same error (ids of `twin` and `file` read "ID").
    func sameError(_ what: String, _ twin: Twin? = nil, file: Twin? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: (any TwinStore, Side) async throws -> Void) async {
        var errors: [String] = []
        for (store, side) in [(sqlite as any TwinStore, Side.sqlite), (postgres as any TwinStore, Side.postgres)] {
            do {
                try await body(store, side)
                errors.append("no error")
            } catch {
                var text = "\(error)"
                for ids in [twin, file].compactMap({ $0 }) { text = text.replacingOccurrences(of: ids.id(side), with: "ID") }
                errors.append(text)
            }
        }
        #expect(errors[0] != "no error", "\(what): SQLite accepted it", sourceLocation: sourceLocation)
        #expect(errors[0] == errors[1], "\(what): \(errors[0]) ≠ \(errors[1])", sourceLocation: sourceLocation)
    }

    /// Creates the announcement on both; returns both ids.
    func create(_ department: String, _ content: AnnouncementContent, by viewer: DocumentViewer, now: Date = now,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Twin {
        let a = try await sqlite.createAnnouncement(departmentID: department, content: content, by: viewer, now: now)
        let b = try await postgres.createAnnouncement(departmentID: department, content: content, by: viewer, now: now)
        #expect(Self.comparable(a) == Self.comparable(b), "created: \(a) ≠ \(b)", sourceLocation: sourceLocation)
        return Twin(sqlite: a.id, postgres: b.id)
    }

    /// An announcement without what differs between stores by construction: its random id, and
    /// its item's id (PostgreSQL's sequences do not reuse the ids of deleted rows).
    static func comparable(_ announcement: Announcement) -> Announcement {
        var copy = announcement
        copy.id = ""
        copy.itemID = announcement.itemID.map { _ in 1 }
        return copy
    }

    /// Runs SQL on the PostgreSQL twin's database (to set up rows no store method of this area writes).
    func psql(_ sql: String) async throws {
        let server = try PostgresCluster.current(), database = postgres.configuration.database
        _ = try await blockingWork { try server.psql(sql, database: database) }
    }
}

enum Side: Sendable { case sqlite, postgres }

/// One announcement's ids in both stores.
struct Twin: Sendable {
    let sqlite: String
    let postgres: String
    func id(_ side: Side) -> String { side == .sqlite ? sqlite : postgres }
}
