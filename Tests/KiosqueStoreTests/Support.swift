import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreTesting

/// Builders shared by the store tests: a small town catalogue and French items.
enum Town {
    static let now = Date(timeIntervalSince1970: 1_750_000_000) // 2025-06-15

    static func day(_ n: Double) -> Date { now.addingTimeInterval(-n * 86_400) }

    /// Two council sources feed "conseil"; "culture" filters the press on keywords.
    static let catalog = Catalog(
        sources: [
            SourceDefinition(id: "mairie", url: "https://ville.example/rss", title: "Mairie", trusted: true),
            SourceDefinition(id: "metropole", url: "https://metro.example/rss", title: "Métropole"),
            SourceDefinition(id: "presse", url: "https://presse.example/rss", title: "La Presse locale"),
        ],
        channels: [
            ChannelDefinition(id: "conseil", title: "Conseil municipal", description: "Délibérations",
                              sources: ["mairie", "metropole"]),
            ChannelDefinition(id: "culture", title: "Culture", sources: ["presse"],
                              include: ["théâtre", "musée", "expo*"], exclude: ["publicité"]),
            ChannelDefinition(id: "presse", title: "Toute la presse", sources: ["presse"]),
        ],
        bouquets: [
            BouquetDefinition(id: "essentiel", title: "L'essentiel", channels: ["conseil"], isDefault: true),
            BouquetDefinition(id: "loisirs", title: "Loisirs", channels: ["culture", "presse"], groups: ["GG-Culture"]),
        ],
        departments: [DepartmentDefinition(id: "dsi", title: "Informatique", categories: ["note"], groups: ["gg-dsi"])])

    static func item(_ id: String, _ title: String, summary: String? = nil, content: String = "",
                     link: String? = nil, published: Date? = nil, author: String? = nil) -> PreparedItem {
        PreparedItem(item: ParsedItem(id: id, title: title, link: link ?? "https://example.org/\(id)",
                                      published: published ?? now, author: author, summary: summary,
                                      contentHTML: content.isEmpty ? nil : "<p>\(content)</p>"),
                     contentText: content)
    }

    /// A migrated temporary store with the catalogue synced.
    static func store() async throws -> AppDatabase {
        let db = try AppDatabase.temporary()
        try await db.syncCatalog(catalog, now: now)
        return db
    }

    /// A fresh store of `backend` with the catalogue synced.
    static func store(_ backend: StoreBackend) async throws -> any PortalStore {
        let db = try await backend.make()
        try await db.syncCatalog(catalog, now: now)
        return db
    }

    /// A fresh empty folder in the temporary directory.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "kiosque-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func user(_ db: any PortalStore, _ login: String = "agent") async throws -> Int64 {
        try await db.createUser(NewUser(login: login, name: login.capitalized), at: now).id
    }
}
