import Foundation
import KiosqueModel
import KiosqueStoreContract
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// The schema's triggers do on PostgreSQL what SQLite's do (PL/pgSQL bodies are only checked when they run).
@Suite(.postgres)
struct PostgresTriggerTests {
    /// One news channel, one department.
    static let catalog = Catalog(
        sources: [SourceDefinition(id: "presse", url: "http://127.0.0.1:9/p.xml", title: "Journal")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["presse"])],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu"])],
        departments: [DepartmentDefinition(id: "urbanisme", title: "Urbanisme")])

    @Test func countersTotalsAndDepartmentChannelsFollowTheRows() async throws {
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        let catalog = Self.catalog
        try await PostgresCluster.withStore(configuration) { store in
            try await store.syncCatalog(catalog, now: Date())
            let items = (0..<3).map { PreparedItem(item: ParsedItem(id: "g\($0)", title: "Titre \($0)", summary: "Résumé"), contentText: "texte") }
            _ = try await store.ingest(sourceID: "presse", items: items, fetchedAt: Date())
            // The same items again change nothing; a changed one is flagged updated.
            var changed = items
            changed[0].item.title = "Titre modifié"
            let again = try await store.ingest(sourceID: "presse", items: changed, fetchedAt: Date())
            #expect(again == IngestResult(new: 0, updated: 1, unchanged: 2))
        }
        func sql(_ text: String) throws -> String { try server.psql(text, database: configuration.database) }
        #expect(try sql("SELECT item_count FROM channels WHERE key = 'actu'") == "3")
        try sql("INSERT INTO users (login, created_at) VALUES ('alice', 0)")
        try sql("INSERT INTO read_marks (user_id, item_id) SELECT u.id, i.id FROM users u, items i WHERE i.guid IN ('g1', 'g2')")
        #expect(try sql("SELECT reads FROM user_channel_reads") == "2")
        try sql("DELETE FROM read_marks WHERE item_id = (SELECT id FROM items WHERE guid = 'g1')")
        #expect(try sql("SELECT reads FROM user_channel_reads") == "1")
        // A department gets its document channel in the documents bouquet; renaming follows.
        #expect(try sql("SELECT count(*) FROM channels WHERE key = 'service-urbanisme' AND kind = 'documents'") == "1")
        try sql("UPDATE departments SET title = 'Urbanisme et habitat' WHERE key = 'urbanisme'")
        #expect(try sql("SELECT title FROM channels WHERE key = 'service-urbanisme'") == "Urbanisme et habitat")
        // The documents bouquet survives a synchronisation that retires it.
        try sql("UPDATE bouquets SET retired_at = 1 WHERE key = 'documents-services'")
        #expect(try sql("SELECT retired_at IS NULL FROM bouquets WHERE key = 'documents-services'") == "t")
        // Reading a channel (activity log) counts in the daily totals.
        try sql("INSERT INTO activity_log (at, user_id, action, detail) SELECT 1796000000, id, 'read', 'actu' FROM users")
        #expect(try sql("SELECT day || ' ' || reads || ' ' || readers FROM channel_daily") == "2026-11-30 1 1")
        // Item search vectors follow a source's new title.
        try sql("UPDATE sources SET title = 'Quotidien régional' WHERE key = 'presse'")
        #expect(try sql("SELECT count(*) FROM items WHERE search_vector @@ plainto_tsquery('kiosque_french', 'regionale')") == "3")
        try await PostgresCluster.withStore(configuration) { store in
            let results = try await store.search(query: "modifié", userID: nil, limit: 10, offset: 0, now: Date())
            #expect(results.items.map(\.item.title) == ["Titre modifié"])
        }
    }
}
