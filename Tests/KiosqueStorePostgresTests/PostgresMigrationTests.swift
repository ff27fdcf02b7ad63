import Foundation
import GRDB
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

@Suite(.postgres)
struct PostgresMigrationTests {
    @Test func freshDatabaseGetsEveryMigrationOnceThenNothing() async throws {
        try await PostgresCluster.withStore(try await PostgresCluster.freshDatabase(), migrate: false) { store in
            let before = try await store.appliedMigrations()
            let first = try await store.migrate()
            let second = try await store.migrate()
            let after = try await store.appliedMigrations()
            #expect(before == [])
            #expect(first == PostgresStore.knownMigrations)
            #expect(second == [])
            #expect(after == PostgresStore.knownMigrations)
        }
    }

    /// Several instances starting together: the advisory lock makes one migrate and the others wait
    /// and find nothing left to do, with no error.
    @Test func concurrentMigratorsMigrateOnce() async throws {
        let configuration = try await PostgresCluster.freshDatabase()
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<3 {
                group.addTask { try await PostgresCluster.withStore(configuration, migrate: false) { try await $0.migrate() } }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(results.filter { !$0.isEmpty } == [PostgresStore.knownMigrations])
        #expect(results.filter(\.isEmpty).count == 2)
    }

    @Test func refusesASchemaNewerThanItKnows() async throws {
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { _ in }
        try server.psql("INSERT INTO kiosque_migrations (position, name) VALUES (1000, 'v99-from-the-future')",
                        database: configuration.database)
        try await PostgresCluster.withStore(configuration, migrate: false) { store in
            do {
                try await store.migrate()
                Issue.record("migrated a newer schema")
            } catch let error as PostgresStoreError {
                guard case .schemaTooNew(let unknown) = error else { Issue.record("wrong error \(error)"); return }
                #expect(unknown == ["v99-from-the-future"])
                #expect(error.description.contains("newer Kiosque"))
                #expect(error.description.contains("v99-from-the-future"))
            }
        }
    }

    /// Both migration lists name the same migrations: one added to SQLite needs its PostgreSQL
    /// counterpart (and the reverse). Their order may differ where helpers landed independent
    /// migrations in another order; each list's own order is fixed once released.
    @Test func migrationNamesMatchSQLite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kiosque.sqlite").path
        _ = try AppDatabase.open(path: path)
        let names = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
        #expect(Set(names) == Set(PostgresStore.knownMigrations))
        #expect(names.count == PostgresStore.knownMigrations.count)
    }

    /// Every table of the SQLite schema exists on PostgreSQL with the same columns, except the
    /// search structures PostgreSQL replaces with `search_vector` columns.
    @Test func everySQLiteTableHasItsPostgresTable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kiosque.sqlite").path
        _ = try AppDatabase.open(path: path)
        let sqlite = try await DatabaseQueue(path: path).read { db -> [String: Set<String>] in
            var tables: [String: Set<String>] = [:]
            for name in try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                  AND name NOT LIKE '%_fts' AND name NOT LIKE '%_fts_%' AND name <> 'item_keys'
                """) {
                tables[name] = Set(try db.columns(in: name).map(\.name))
            }
            return tables
        }
        let server = try PostgresCluster.current()
        let configuration = try await PostgresCluster.freshDatabase()
        try await PostgresCluster.withStore(configuration) { _ in }
        let listing = try server.psql("""
            SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'
            """, database: configuration.database)
        var postgres: [String: Set<String>] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: ".", maxSplits: 1).map(String.init)
            postgres[parts[0], default: []].insert(parts[1])
        }
        #expect(!sqlite.isEmpty)
        for (table, columns) in sqlite {
            let missing = columns.subtracting(postgres[table] ?? [])
            #expect(missing.isEmpty, "PostgreSQL lacks \(table): \(missing.sorted())")
        }
    }
}
