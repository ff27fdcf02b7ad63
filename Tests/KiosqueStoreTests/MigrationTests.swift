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
