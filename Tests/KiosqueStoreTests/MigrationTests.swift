import Foundation
import GRDB
import Testing
@testable import KiosqueStore

/// Opening databases: from empty, again, and refusing files that are not ours.
struct MigrationTests {
    @Test func migratesFromEmptyThenReopens() async throws {
        let folder = try Town.folder()
        let path = folder + "/sub/kiosque.sqlite"
        do {
            let db = try AppDatabase.open(path: path)
            try await db.syncCatalog(Town.catalog, now: Town.now)
            _ = try await db.ingest(sourceID: "mairie", items: [Town.item("1", "Budget")], fetchedAt: Town.now)
            try db.close()
        }
        let again = try AppDatabase.open(path: path)
        let counts = try await again.counts()
        #expect(counts["items"] == 1)
        #expect(counts["sources"]! >= 3) // later migrations may add synthetic sources (documents)
        let (mode, appID, vacuum, migrations) = try await again.read("test") { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int32.fetchOne(db, sql: "PRAGMA application_id"),
             try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"), try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(mode == "wal")
        #expect(appID == Migrations.applicationID)
        #expect(vacuum == 2) // incremental
        #expect(Set(migrations).isSuperset(of: ["v1-catalog", "v1-items", "v1-people", "v1-operations", "v1-search", "v1-counters"]))
    }

    @Test func capsTheIndexedContentOfItemsIndexedWhole() async throws {
        let path = try Town.folder() + "/v2.sqlite"
        let long = "Budget " + String(repeating: "séance ", count: Migrations.indexedContentCharacters / 7) + "zygomatique"
        do {
            // A database as the previous release left it: content indexed whole.
            var config = Configuration()
            config.prepareDatabase { db in db.add(tokenizer: FrenchTokenizer.self) }
            let queue = try DatabaseQueue(path: path, configuration: config)
            try Migrations.migrator.migrate(queue, upTo: "v2-documents")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO sources (id, key, url, title) VALUES (1, 'mairie', 'https://example.org', 'Mairie')")
                for (id, text) in [(1, long), (2, "Court texte zygomatique")] {
                    try db.execute(sql: """
                        INSERT INTO items (id, source_id, guid, guid_hash, title, content_text, sort_at, fetched_at, content_hash)
                        VALUES (?, 1, ?, ?, 'Article', ?, 0, 0, 0)
                        """, arguments: [id, "g\(id)", id, text])
                }
            }
            try queue.close()
        }
        let db = try AppDatabase.open(path: path)
        #expect(try await db.search(query: "zygomatique", userID: nil).total == 1)  // the short item only
        #expect(try await db.search(query: "budget", userID: nil).total == 1)
        #expect(try await db.search(query: "article", userID: nil).total == 2)
        // The re-indexed long item leaves the index whole through the new triggers.
        _ = try await db.write("deleting", changes: .shared) { db in try db.execute(sql: "DELETE FROM items") }
        #expect(try await SearchTests.indexedWords(db) == 0)
    }

    @Test func refusesGarbageWithoutTouchingIt() throws {
        let path = try Town.folder() + "/notes.sqlite"
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notADatabase(path: path)) { try AppDatabase.open(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let path = try Town.folder() + "/other.sqlite"
        let other = try DatabaseQueueMaker.make(path: path, sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        _ = other
        let result = Result { () throws(StoreError) -> AppDatabase in try AppDatabase.open(path: path) }
        guard case .failure(let error) = result, case .foreignDatabase(let p, let detail) = error else {
            Issue.record("a foreign database was opened: \(result)")
            return
        }
        #expect(p == path)
        #expect(detail.contains("invoices"))
        #expect(error.description.contains(path))
    }

    @Test func refusesAnotherGRDBApplication() throws {
        let path = try Town.folder() + "/grdb-app.sqlite"
        _ = try DatabaseQueueMaker.make(path: path, sql: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('createPlayers');
            CREATE TABLE player (id INTEGER PRIMARY KEY);
            """)
        #expect(throws: StoreError.foreignDatabase(path: path, detail: "migration createPlayers of another application")) {
            try AppDatabase.open(path: path)
        }
    }

    @Test func refusesATruncatedDatabase() async throws {
        let path = try Town.folder() + "/cut.sqlite"
        do {
            let db = try AppDatabase.open(path: path)
            try await db.syncCatalog(Town.catalog, now: Town.now)
            try db.close()
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        // Keep a valid header but destroy every page after the first.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in 4096..<bytes.count { bytes[i] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) {
            let db = try AppDatabase.open(path: path)
            _ = db
        }
    }
}
